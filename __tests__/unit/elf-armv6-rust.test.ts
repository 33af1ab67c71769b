import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { scanArmv6, type Armv6Scan } from '../../src/elf/armv6-scan.js';
import { verifyBytes } from '../../src/elf/verify.js';
import { targetSpec } from '../../src/targets/table.js';
import { rustArmv6Corpus, type RustArmv6Corpus } from '../helpers/elf-corpus.js';

// The pi-zero case this project exists for, in Rust: std built from source for ARMv6, linked by
// Debian's ARMv7 armhf gcc. Its own 80 000-odd ARM instructions are ARMv6; what the toolchain
// adds (Scrt1.o, crtbeginS.o) is Thumb-2. No movw, no dmb anywhere.

let rust: RustArmv6Corpus;
beforeAll(() => {
  rust = rustArmv6Corpus();
}, 900_000);

const V6 = targetSpec('arm-unknown-linux-gnueabihf');
type Scanned = Extract<Armv6Scan, { status: 'scanned' }>;
function scanned(file: string): Scanned {
  const s = scanArmv6(readFileSync(file));
  if (s.status !== 'scanned') throw new Error(`${file}: ${s.status}`);
  return s;
}
const verify = (bytes: Uint8Array) =>
  verifyBytes(bytes, { spec: V6, glibcFloor: '2.36', piOs: 'bookworm' });

describe('a -Zbuild-std ARMv6 Rust binary', () => {
  it('linked with the ARMv7 toolchain: the Thumb-2 start files are named', () => {
    const s = scanned(rust.armv7Linked);
    const funcs = s.offences.map((o) => o.func);
    expect(funcs).toEqual(expect.arrayContaining(['_start', 'frame_dummy']));
    expect(s.offences.every((o) => o.state === 'thumb')).toBe(true);
    const mnemonics = s.offences.flatMap((o) => o.mnemonics);
    expect(mnemonics).not.toContain('movw');
    expect(mnemonics).not.toContain('dmb');
    expect(s.stats.armWords).toBeGreaterThan(50_000);
    expect(s.exempt).toEqual([]);
    const codes = verify(readFileSync(rust.armv7Linked)).findings.map((f) => f.code);
    expect(codes.sort()).toEqual(['armv7-instructions', 'cpu-too-new']);
  });

  it('is still caught when its attributes claim ARMv6 (as a zig link would)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rpi-armv6-lie-'));
    try {
      const attrs = join(dir, 'v6.attributes');
      const lie = join(dir, 'lie');
      const objcopy = 'arm-linux-gnueabihf-objcopy';
      execFileSync(objcopy, ['--dump-section', `.ARM.attributes=${attrs}`, rust.armv6Clean, join(dir, 'x')]);
      execFileSync(objcopy, ['--update-section', `.ARM.attributes=${attrs}`, rust.armv7Linked, lie]);
      const v = verify(readFileSync(lie));
      expect(v.facts?.cpuArch).toBe('v6KZ');
      expect(v.findings.map((f) => f.code)).toEqual(['armv7-instructions']);
      expect(v.findings[0]?.message).toContain('_start at 0x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }); // prettier-ignore

  it('linked with ARMv6 start files: no finding at all, and it runs', () => {
    const s = scanned(rust.armv6Clean);
    expect(s.offences).toEqual([]);
    expect(s.exempt).toEqual([]);
    expect(s.stats.armWords).toBeGreaterThan(50_000);
    expect(verify(readFileSync(rust.armv6Clean)).findings).toEqual([]);
    // Debian's ld.so is ARMv7, so the loader itself cannot run under -cpu arm1176; cortex-a7
    // shows the ARMv6 start files and the program are sound.
    const r = spawnSync(
      'qemu-arm-static',
      ['-cpu', 'cortex-a7', '-L', '/usr/arm-linux-gnueabihf', rust.armv6Clean],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stdout).toMatch(/^pi-hello arch=arm fact10=3628800 unwind=true/);
  });
});
