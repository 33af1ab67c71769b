/**
 * verifyElf's branches that the mutation run found unjudged, on variants of real binaries built
 * here: the float-ABI evidence, the order and floor naming of glibc-too-new, what makes a musl
 * binary dynamic, the start-code evidence, and (found by the next mutation run) the ELF class and
 * byte order, the instruction scan's skip reasons, and the facts of a static binary.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseElf } from '../../src/elf/parse.js';
import type { DynamicInfo, ParsedElf } from '../../src/elf/types.js';
import { verifyBytes, verifyElf, type Verdict } from '../../src/elf/verify.js';
import { PI_OS, targetSpec } from '../../src/targets/table.js';

let dir: string;
let arm: ParsedElf;
let a64: ParsedElf;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'verify-edges-'));
  writeFileSync(
    join(dir, 'v6.c'),
    '__attribute__((naked, noreturn)) void _start(void) {\n' +
      '  __asm__ volatile("mov r0, #0\\n\\tmov r7, #1\\n\\tsvc #0");\n}\n',
  );
  writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hi"); }\n');
  // prettier-ignore
  execFileSync('arm-linux-gnueabihf-gcc', ['-march=armv6', '-marm', '-mfpu=vfp', '-mfloat-abi=hard',
    '-O2', '-static', '-nostdlib', 'v6.c', '-o', 'v6'], { cwd: dir });
  execFileSync('aarch64-linux-gnu-gcc', ['-O2', 'hello.c', '-o', 'a64'], { cwd: dir });
  // What `strip --discard-all` leaves: _start (global) but no $a/$t/$d mapping symbols.
  execFileSync('arm-linux-gnueabihf-strip', ['--discard-all', 'v6', '-o', 'v6-nomap'], {
    cwd: dir,
  });
  arm = parseElf(readFileSync(join(dir, 'v6')));
  a64 = parseElf(readFileSync(join(dir, 'a64')));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V6 = 'arm-unknown-linux-gnueabihf';
const A64 = 'aarch64-unknown-linux-gnu';
const codes = (v: Verdict) => v.findings.map((f) => `${f.code}:${f.severity}`);
const check = (
  e: ParsedElf,
  triple: string,
  floor: string | null = null,
  piOs: string | null = null,
) => verifyElf(e, { spec: targetSpec(triple), glibcFloor: floor, piOs });

describe('the float ABI: either the ELF flags or Tag_ABI_VFP_args', () => {
  const variant = (floatAbi: 'hard' | 'soft' | 'unspecified', abiVfpArgs: number | null) => {
    if (!arm.arm || !arm.armAttributes) throw new Error('not an ARM binary');
    return {
      ...arm,
      arm: { ...arm.arm, floatAbi },
      armAttributes: { ...arm.armAttributes, abiVfpArgs },
    };
  };
  it.each([
    ['hard', 2],
    ['unspecified', 1],
    ['unspecified', 3],
  ] as const)('flags %s, Tag_ABI_VFP_args %s: hard-float', (flag, vfp) => {
    expect(codes(check(variant(flag, vfp), V6))).toEqual([]);
  });
  it.each([
    ['soft', 1, 'soft-float ABI'],
    ['unspecified', 0, 'Tag_ABI_VFP_args: base AAPCS (soft-float)'],
    ['unspecified', 2, 'without hard-float bit and no Tag_ABI_VFP_args'],
    ['unspecified', null, 'without hard-float bit and no Tag_ABI_VFP_args'],
  ] as const)('flags %s, Tag_ABI_VFP_args %s: soft-float, saying "%s"', (flag, vfp, says) => {
    const v = check(variant(flag, vfp), V6);
    expect(codes(v)).toEqual(['soft-float:error']);
    expect(v.findings[0]?.message).toContain(says);
  });
});

describe('glibc-too-new', () => {
  const needing = (versions: string[]) => ({
    ...a64,
    versionNeeds: [{ file: 'libc.so.6', versions }],
    maxGlibc: '2.34',
  });
  it('lists the offending versions newest first, and names the newest in the loader error', () => {
    const v = check(needing(['GLIBC_2.32', 'GLIBC_2.17', 'GLIBC_2.34', 'GLIBC_2.33']), A64, '2.31');
    const m = v.findings[0]?.message ?? '';
    expect(m).toContain(
      '(symbol versions GLIBC_2.34 (libc.so.6), GLIBC_2.33 (libc.so.6), GLIBC_2.32 (libc.so.6))',
    );
    expect(m).toContain('"version `GLIBC_2.34\' not found"');
  });
  it('names the Pi OS whose glibc the floor is when pi-os is not given, and none for another floor', () => {
    const m = (floor: string) => check(needing(['GLIBC_2.34']), A64, floor).findings[0]?.message;
    expect(m('2.31')).toContain('newer than the glibc floor 2.31 (Raspberry Pi OS bullseye);');
    expect(m('2.30')).toContain('newer than the glibc floor 2.30;');
  });
});

describe('a musl target must be static', () => {
  const MUSL = 'aarch64-unknown-linux-musl';
  const dynamicInfo: DynamicInfo = {
    needed: ['libc.so'],
    soname: null,
    rpath: null,
    runpath: null,
    flags1: 0,
  };
  it('an interpreter alone, or NEEDED libraries alone, make it dynamic', () => {
    expect(codes(check({ ...a64, dynamic: null }, MUSL))).toEqual(['musl-not-static:error']);
    const needsOnly = { ...a64, interpreter: null, dynamic: dynamicInfo };
    expect(codes(check(needsOnly, MUSL))).toEqual(['musl-not-static:error']);
  });
  it('neither: static, fine', () => {
    const none = { ...a64, interpreter: null, dynamic: { ...dynamicInfo, needed: [] } };
    expect(codes(check(none, MUSL))).toEqual([]);
  });
  it('a shared library is not refused for it', () => {
    expect(codes(check({ ...a64, isSharedLibrary: true }, MUSL))).toEqual([
      'not-executable:warning',
    ]);
  });
});

describe('start code', () => {
  it('entry point 0: an error saying so', () => {
    const v = check({ ...arm, entry: 0 }, V6);
    expect(codes(v)).toEqual(['no-start-files:error']);
    expect(v.findings.find((f) => f.code === 'no-start-files')?.message).toContain(
      'its entry point is 0',
    );
  });
  it('stripped and static: a warning only without .init; with .init, or dynamic, nothing', () => {
    const stripped = { ...arm, symbols: { hasSymtab: false, hasDynsym: false, hasStart: false } };
    const noInit = { ...stripped, sections: arm.sections.filter((s) => s.name !== '.init') };
    const warned = check(noInit, V6);
    expect(codes(warned)).toEqual(['no-start-files:warning']);
    expect(warned.findings[0]?.message).toContain(
      '(stripped, static, and without the .init section every crt file set provides)',
    );
    // A warning does not stop it running anywhere.
    expect(warned.facts.runsOn).toEqual(PI_OS.map((o) => o.name));
    const init = {
      ...noInit,
      sections: [...noInit.sections, { ...noInit.sections[1], name: '.init' }],
    };
    expect(codes(check(init as ParsedElf, V6))).toEqual([]);
    expect(codes(check({ ...noInit, interpreter: '/lib/ld-linux-armhf.so.3' }, V6))).not.toContain(
      'no-start-files:warning',
    );
  });
});

describe('start code without a symbol table', () => {
  const stripped = (o: Partial<ParsedElf>) => ({
    ...arm,
    sections: arm.sections.filter((s) => s.name !== '.init'),
    symbols: { hasSymtab: false, hasDynsym: false, hasStart: false },
    ...o,
  });
  it('a _start in .dynsym is proof enough: no warning', () => {
    const symbols = { hasSymtab: false, hasDynsym: true, hasStart: true };
    expect(codes(check(stripped({ symbols }), V6))).toEqual([]);
  });
  it('no section headers at all (sstrip): nothing to judge by, no warning', () => {
    expect(codes(check(stripped({ sections: [] }), V6))).toEqual([]);
  });
});

describe('what the Pi cannot decode at all: another ELF class or byte order', () => {
  it('a 32-bit (ILP32) AArch64 file and a big-endian one are the wrong machine, and only that', () => {
    expect(codes(check({ ...a64, bits: 32 }, A64))).toEqual(['wrong-machine:error']);
    const big = check({ ...a64, endian: 'big' }, A64);
    expect(codes(big)).toEqual(['wrong-machine:error']);
    expect(big.findings[0]?.message).toContain('64-bit big-endian code');
  });
});

describe('glibc versions that are not glibc’s', () => {
  it('a libgcc_s GCC_3.5 or GLIBC_PRIVATE need is neither listed nor compared', () => {
    const e = {
      ...a64,
      versionNeeds: [
        { file: 'libgcc_s.so.1', versions: ['GCC_3.5'] },
        { file: 'libc.so.6', versions: ['GLIBC_PRIVATE', 'GLIBC_2.34'] },
      ],
      maxGlibc: '2.34',
    };
    const v = check(e, A64, '2.31');
    expect(codes(v)).toEqual(['glibc-too-new:error']);
    expect(v.findings[0]?.message).toContain('(symbol versions GLIBC_2.34 (libc.so.6)),');
  });
});

describe('the facts of a static binary', () => {
  it('needs no libraries and runs on every Pi OS', () => {
    expect(arm.dynamic).toBeNull();
    const { facts } = check(arm, V6);
    expect([facts.linkage, facts.needed, facts.runsOn]).toEqual([
      'static',
      [],
      PI_OS.map((o) => o.name),
    ]);
  });
});

describe('the ARMv6 instruction scan: when it cannot run, and what it then reads', () => {
  const V6_EXPECT = { spec: targetSpec(V6), glibcFloor: null, piOs: null };
  it('no mapping symbols ($a/$t/$d): a warning naming that, not a silent pass', () => {
    const v = verifyBytes(readFileSync(join(dir, 'v6-nomap')), V6_EXPECT);
    expect(v.findings.map((f) => `${f.code}:${f.severity}`)).toEqual([
      'instruction-scan-skipped:warning',
    ]);
    expect(v.findings[0]?.message).toContain('has no ARM mapping symbols ($a/$t/$d)');
  });
  it("cargo's unstripped file unreadable: the verified bytes still judged, the scan skipped", () => {
    const bytes = readFileSync(join(dir, 'v6'));
    const v = verifyBytes(bytes, { ...V6_EXPECT, unstripped: new Uint8Array([0x7f, 0x45]) });
    expect(v.findings.map((f) => `${f.code}:${f.severity}`)).toEqual([
      'instruction-scan-skipped:warning',
    ]);
    expect(v.findings[0]?.message).toContain(
      'the binary cargo built could not be read (not an ELF file (bad magic))',
    );
    expect(v.facts?.arch).toBe('armv6');
  });
  it('an unstripped file of another architecture is not scanned', () => {
    const bytes = readFileSync(join(dir, 'v6'));
    const v = verifyBytes(bytes, { ...V6_EXPECT, unstripped: readFileSync(join(dir, 'a64')) });
    expect(v.findings).toEqual([]);
  });
});

describe('a file that is not an ELF binary', () => {
  it('says what to do about it', () => {
    const v = verifyBytes(new Uint8Array([1, 2, 3]), {
      spec: targetSpec(V6),
      glibcFloor: null,
      piOs: null,
    });
    expect(v.facts).toBeNull();
    expect(v.findings[0]?.message).toMatch(
      /^The file is not a valid ELF binary: .*\. Likely cause: an incomplete copy or download, or a wrong path\. Fix: rebuild and ship the file cargo produced\.$/,
    );
  });
});
