import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parseElf } from '../../src/elf/parse.js';
import { verifyBytes, verifyElf, type FindingCode, type Verdict } from '../../src/elf/verify.js';
import { PI_OS, targetSpec } from '../../src/targets/table.js';
import { elfCorpus, type Corpus, type CorpusName } from '../helpers/elf-corpus.js';

let corpus: Corpus;
beforeAll(() => {
  corpus = elfCorpus();
}, 120_000);

const A64 = 'aarch64-unknown-linux-gnu';
const A64_MUSL = 'aarch64-unknown-linux-musl';
const V7 = 'armv7-unknown-linux-gnueabihf';
const V6 = 'arm-unknown-linux-gnueabihf';
type Os = 'bullseye' | 'bookworm';

function check(name: CorpusName, triple: string, os: Os = 'bookworm'): Verdict {
  const glibcFloor = PI_OS.find((o) => o.name === os)?.glibc ?? null;
  const verdict = verifyBytes(readFileSync(corpus[name]), {
    spec: targetSpec(triple),
    glibcFloor,
    piOs: os,
  });
  if (!verdict.facts) throw new Error(`${name}: ${verdict.findings[0]?.message}`);
  return verdict as Verdict;
}
const codes = (v: Verdict) => v.findings.map((f) => `${f.code}:${f.severity}`).sort();
const message = (v: Verdict, code: FindingCode) =>
  v.findings.find((f) => f.code === code)?.message ?? '';

describe('verifyElf: each corpus case yields its own finding', () => {
  // [case, checked as, Pi OS floor, the finding it exists to demonstrate, every finding expected]
  const CASES: [CorpusName, string, Os, FindingCode, string[]][] = [
    ['armv7-good', V6, 'bookworm', 'cpu-too-new', ['armv7-instructions:error', 'cpu-too-new:error']],
    ['armv7-movw-static', V6, 'bullseye', 'cpu-too-new', ['armv7-instructions:error', 'cpu-too-new:error']],
    ['armv6-attributes-lie', V6, 'bookworm', 'armv7-instructions', ['armv7-instructions:error']],
    ['armv6-stripped', V6, 'bookworm', 'instruction-scan-skipped', ['cpu-too-new:error', 'instruction-scan-skipped:warning']],
    ['aarch64-good', A64, 'bullseye', 'glibc-too-new', ['glibc-too-new:error']],
    ['armv7-good', V7, 'bullseye', 'glibc-too-new', ['glibc-too-new:error']],
    ['armel-soft-float', V7, 'bookworm', 'soft-float', ['soft-float:error', 'wrong-interpreter:error']],
    ['x86_64-host', A64, 'bookworm', 'wrong-machine', ['wrong-machine:error']],
    ['armhf-bare-ld', V7, 'bookworm', 'no-start-files', ['no-start-files:error']],
    ['aarch64-bare-ld-e-main', A64, 'bookworm', 'no-start-files', ['no-start-files:error']],
    ['armhf-bare-ld-libc', V7, 'bookworm', 'wrong-interpreter', ['no-start-files:error', 'wrong-interpreter:error']],
    ['armhf-entry-0x4', V7, 'bookworm', 'entry-outside-code', ['entry-outside-code:error']],
    ['armhf-object', V7, 'bookworm', 'not-executable', ['not-executable:error']],
    ['armhf-shared-lib', V7, 'bookworm', 'not-executable', ['not-executable:warning']],
    ['aarch64-good', A64_MUSL, 'bookworm', 'musl-not-static', ['musl-not-static:error']],
    ['armv7m-microcontroller', V7, 'bookworm', 'wrong-cpu-profile', ['wrong-cpu-profile:error']],
  ]; // prettier-ignore

  it.each(CASES)('%s as %s (%s) → %s', (name, triple, os, _code, all) => {
    expect(codes(check(name, triple, os))).toEqual(all);
  });

  it('covers every finding code with a real binary', () => {
    const shown = new Set<string>(CASES.map((c) => c[3]));
    shown.add('malformed-elf'); // the truncated and not-ELF cases below
    const all: FindingCode[] = [
      'malformed-elf', 'not-executable', 'wrong-machine', 'wrong-cpu-profile', 'soft-float',
      'cpu-too-new', 'wrong-interpreter', 'musl-not-static', 'glibc-too-new', 'no-start-files',
      'entry-outside-code', 'armv7-instructions', 'instruction-scan-skipped',
    ]; // prettier-ignore
    expect([...shown].sort()).toEqual([...all].sort());
  });

  it('turns a truncated download and a non-ELF file into malformed-elf', () => {
    const spec = targetSpec(V7);
    for (const name of ['armv7-truncated', 'not-elf'] as const) {
      const v = verifyBytes(readFileSync(corpus[name]), {
        spec,
        glibcFloor: '2.36',
        piOs: 'bookworm',
      });
      expect(v.facts).toBeNull();
      expect(v.findings.map((f) => f.code)).toEqual(['malformed-elf']);
    }
    const cut = verifyBytes(readFileSync(corpus['armv7-truncated']), {
      spec,
      glibcFloor: null,
      piOs: null,
    });
    expect(cut.findings[0]?.message).toMatch(
      /^The file is not a valid ELF binary: truncated: .* extends past end of file\./,
    );
  });
});

describe('verifyElf: good binaries', () => {
  const GOOD: [CorpusName, string, Os][] = [
    ['aarch64-good', A64, 'bookworm'],
    ['armv7-good', V7, 'bookworm'],
    ['aarch64-static-pie', A64, 'bullseye'],
    ['armv7-movw-static', V7, 'bullseye'],
    ['armv6-freestanding', V6, 'bullseye'],
  ];
  it.each(GOOD)('%s as %s (%s) has no findings', (name, triple, os) => {
    expect(check(name, triple, os).findings).toEqual([]);
  });

  it('reports the facts of a dynamic armv7 binary', () => {
    expect(check('armv7-good', V7).facts).toEqual({
      arch: 'armv7',
      cpuArch: 'v7',
      floatAbi: 'hard',
      glibcNeeded: '2.34',
      runsOn: ['bookworm', 'trixie'],
      linkage: 'dynamic',
      interpreter: '/lib/ld-linux-armhf.so.3',
      needed: ['libc.so.6'],
    });
  });

  it('reports static binaries as running on every Pi OS', () => {
    const all = PI_OS.map((o) => o.name);
    expect(check('aarch64-static-pie', A64).facts).toMatchObject({
      arch: 'aarch64',
      cpuArch: 'v8',
      floatAbi: 'n/a',
      linkage: 'static-pie',
      runsOn: all,
    });
    expect(check('armv6-freestanding', V6).facts).toMatchObject({
      arch: 'armv6',
      cpuArch: 'v6',
      linkage: 'static',
      runsOn: all,
    });
  });

  it('keeps runsOn to the glibc answer when only glibc is too new, and empties it otherwise', () => {
    expect(check('aarch64-good', A64, 'bullseye').facts.runsOn).toEqual(['bookworm', 'trixie']);
    expect(check('armv7-good', V6).facts.runsOn).toEqual([]);
    expect(check('x86_64-host', A64).facts).toMatchObject({
      arch: 'x86_64',
      cpuArch: null,
      runsOn: [],
    });
    expect(check('armel-soft-float', V7).facts).toMatchObject({
      arch: 'armv5te',
      floatAbi: 'soft',
    });
  });
});

describe('finding messages name the cause and the fix', () => {
  it('cpu-too-new on arm-unknown-linux-gnueabihf', () => {
    const m = message(check('armv7-good', V6), 'cpu-too-new');
    expect(m).toContain('ARMv7 code (Tag_CPU_arch v7)');
    expect(m).toContain('targets ARMv6 (Raspberry Pi 1, Raspberry Pi Zero, Raspberry Pi Zero W');
    expect(m).toContain('"Illegal instruction"');
    expect(m).toMatch(/crt files, libgcc or libc .* ARMv7 .* Debian\/Ubuntu armhf/);
    expect(m).toContain('Bootlin armv6-eabihf');
  });

  it('glibc-too-new names versions, floor, the Pi OS it would run on, and both fixes', () => {
    const m = message(check('armv7-good', V7, 'bullseye'), 'glibc-too-new');
    expect(m).toContain('symbol versions GLIBC_2.34 (libc.so.6)');
    expect(m).toContain('glibc floor 2.31 (Raspberry Pi OS bullseye)');
    expect(m).toContain('It would run on Raspberry Pi OS bookworm, trixie.');
    expect(m).toContain('sysroot glibc is ≤ 2.31, or set pi-os: bookworm');
  });

  it('no-start-files points at bare ld and the gcc driver', () => {
    const m = message(check('armhf-bare-ld', V7), 'no-start-files');
    expect(m).toContain('no _start symbol');
    expect(m).toContain('linking with bare ld');
    expect(m).toContain(
      'CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER=arm-linux-gnueabihf-gcc',
    );
  });

  it('wrong-interpreter recognises GNU ld default and the armel loader', () => {
    expect(message(check('armhf-bare-ld-libc', V7), 'wrong-interpreter')).toMatch(
      /\/usr\/lib\/ld\.so\.1 is GNU ld's built-in default.*gcc driver, not ld/,
    );
    expect(message(check('armel-soft-float', V7), 'wrong-interpreter')).toContain(
      'soft-float (armel) loader',
    );
  });

  it('soft-float, wrong-machine and musl-not-static say what to use instead', () => {
    expect(message(check('armel-soft-float', V7), 'soft-float')).toMatch(
      /ELF flags 0x5000200: soft-float ABI.*arm-linux-gnueabihf \(hard-float\)/,
    );
    expect(message(check('x86_64-host', A64), 'wrong-machine')).toMatch(
      /x86-64, 64-bit.*"Exec format error".*without --target aarch64-unknown-linux-gnu/,
    );
    expect(message(check('aarch64-good', A64_MUSL), 'musl-not-static')).toMatch(
      /libraries: libc\.so\.6.*aarch64-linux-musl-gcc.*aarch64-unknown-linux-gnu instead/,
    );
  });

  it('every message states a likely cause or a fix', () => {
    const all = [
      check('armhf-entry-0x4', V7), check('armhf-object', V7), check('armhf-shared-lib', V7),
      check('armv7m-microcontroller', V7), check('aarch64-bare-ld-e-main', A64),
    ].flatMap((v) => v.findings); // prettier-ignore
    for (const f of all) expect(f.message).toMatch(/Fix:|otherwise ship/);
  });
});

describe('verifyElf on synthetic variants', () => {
  it('flags a stripped static binary without .init as a no-start-files warning', () => {
    const e = parseElf(readFileSync(corpus['armhf-bare-ld']));
    const stripped = { ...e, symbols: { hasSymtab: false, hasDynsym: false, hasStart: false } };
    const v = verifyElf(stripped, { spec: targetSpec(V7), glibcFloor: null, piOs: null });
    expect(v.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['no-start-files:warning']);
  });

  it('says so when no released Pi OS has the glibc a binary needs', () => {
    const e = parseElf(readFileSync(corpus['aarch64-good']));
    const future = {
      ...e,
      versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.99'] }],
      maxGlibc: '2.99',
    };
    const v = verifyElf(future, { spec: targetSpec(A64), glibcFloor: '2.36', piOs: 'bookworm' });
    expect(v.findings[0]?.message).toContain('No Raspberry Pi OS release ships glibc 2.99');
    expect(v.facts.runsOn).toEqual([]);
  });
});

const qemu = (bin: string, args: string[]) =>
  spawnSync(bin, args, { encoding: 'utf8', timeout: 20_000 });

describe('the ARMv6 CPU model really matters (qemu-user)', () => {
  it('an ARMv7-only binary runs on cortex-a7, dies with SIGILL on arm1176, and verify predicts it', () => {
    const bin = corpus['armv7-movw-static'];
    const a7 = qemu('/usr/bin/qemu-arm-static', ['-cpu', 'cortex-a7', bin]);
    expect([a7.status, a7.signal]).toEqual([0, null]);
    const arm1176 = qemu('/usr/bin/qemu-arm-static', ['-cpu', 'arm1176', bin]);
    const sigill =
      arm1176.signal === 'SIGILL' ||
      arm1176.status === 132 ||
      /Illegal instruction/.test(arm1176.stderr);
    expect(sigill).toBe(true);
    expect(codes(check('armv7-movw-static', V6))).toEqual([
      'armv7-instructions:error',
      'cpu-too-new:error',
    ]);
    expect(check('armv7-movw-static', V7).findings).toEqual([]);
  });

  it('a real ARMv6 binary runs on arm1176 and passes verify', () => {
    const r = qemu('/usr/bin/qemu-arm-static', ['-cpu', 'arm1176', corpus['armv6-freestanding']]);
    expect([r.status, r.signal]).toEqual([0, null]);
    expect(check('armv6-freestanding', V6).findings).toEqual([]);
  });

  it('a good dynamic aarch64 binary runs; the bare-ld one crashes instead of doing its job', () => {
    const good = qemu('/usr/bin/qemu-aarch64-static', [
      '-L',
      '/usr/aarch64-linux-gnu',
      corpus['aarch64-good'],
    ]);
    expect([good.status, good.stdout]).toEqual([0, 'hello from the pi\n']);
    const bare = qemu('/usr/bin/qemu-aarch64-static', [corpus['aarch64-bare-ld-e-main']]);
    expect(bare.status === 0 || bare.status === 42).toBe(false);
  });
});
