/**
 * The verification rules at their edges, on real binaries built here: a binary that needs exactly
 * the glibc floor, and ARMv6 code that uses Thumb-2 (which only Tag_THUMB_ISA_use tells).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tooNewAttributes } from '../../src/elf/cpu.js';
import { parseElf } from '../../src/elf/parse.js';
import { verifyBytes, verifyElf } from '../../src/elf/verify.js';
import { targetSpec } from '../../src/targets/table.js';

const A64 = 'aarch64-unknown-linux-gnu';
const V6 = 'arm-unknown-linux-gnueabihf';
const V7 = 'armv7-unknown-linux-gnueabihf';

let dir: string;
const bin = (name: string) => readFileSync(join(dir, name));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'elf-rules-'));
  writeFileSync(
    join(dir, 'hello.c'),
    '#include <stdio.h>\nint main(void) { printf("hi\\n"); return 0; }\n',
  );
  // A correct ARMv6 program (its own _start, exit(0)), built as C so it has the hard-float ABI ...
  writeFileSync(
    join(dir, 'v6.c'),
    '__attribute__((naked, noreturn)) void _start(void) {\n' +
      '  __asm__ volatile("mov r0, #0\\n\\tmov r7, #1\\n\\tsvc #0");\n}\n',
  );
  // ... and the same one with an object saying it uses Thumb-2: Tag_CPU_arch stays v6.
  writeFileSync(
    join(dir, 'thumb2.S'),
    '.eabi_attribute Tag_THUMB_ISA_use, 2\n.section .note.GNU-stack,"",%progbits\n',
  );
  const gcc = (tool: string, args: string[]) => execFileSync(tool, args, { cwd: dir });
  gcc('aarch64-linux-gnu-gcc', ['-O2', 'hello.c', '-o', 'a64-dynamic']);
  const v6flags = ['-march=armv6', '-marm', '-mfpu=vfp', '-mfloat-abi=hard', '-static'];
  gcc('arm-linux-gnueabihf-gcc', [...v6flags, '-nostdlib', 'v6.c', '-o', 'v6']);
  gcc('arm-linux-gnueabihf-gcc', [...v6flags, '-nostdlib', 'v6.c', 'thumb2.S', '-o', 'v6-thumb2']);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the glibc floor is the highest version allowed, not the first one refused', () => {
  it('a binary needing exactly the floor passes', () => {
    const e = parseElf(bin('a64-dynamic'));
    // Debian 12's glibc: the newest symbol version hello.c pulls in is GLIBC_2.34.
    expect(e.maxGlibc).toBe('2.34');
    const v = verifyElf(e, { spec: targetSpec(A64), glibcFloor: '2.34', piOs: null });
    expect(v.findings).toEqual([]);
  });

  it('one minor version below the floor fails, naming only the versions above it', () => {
    const v = verifyBytes(bin('a64-dynamic'), {
      spec: targetSpec(A64),
      glibcFloor: '2.33',
      piOs: null,
    });
    expect(v.findings.map((f) => f.code)).toEqual(['glibc-too-new']);
    expect(v.findings[0]?.message).toMatch(
      /\(symbol versions GLIBC_2\.34 \(libc\.so\.6\)\), newer/,
    );
  });

  it('a version equal to the floor is not listed among the offending ones', () => {
    const e = parseElf(bin('a64-dynamic'));
    const needs = {
      ...e,
      versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.17', 'GLIBC_2.31', 'GLIBC_2.34'] }],
      maxGlibc: '2.34',
    };
    const v = verifyElf(needs, { spec: targetSpec(A64), glibcFloor: '2.31', piOs: 'bullseye' });
    expect(v.findings[0]?.message).toContain('(symbol versions GLIBC_2.34 (libc.so.6)), newer');
  });
});

describe('Thumb-2 in ARMv6 code', () => {
  it('the plain ARMv6 binary passes as ARMv6', () => {
    const v = verifyBytes(bin('v6'), { spec: targetSpec(V6), glibcFloor: null, piOs: null });
    expect(v.findings).toEqual([]);
  });

  it('Tag_CPU_arch v6 with Tag_THUMB_ISA_use Thumb-2 is refused for the Pi Zero', () => {
    const e = parseElf(bin('v6-thumb2'));
    expect(e.armAttributes).toMatchObject({ cpuArchName: 'v6', thumbIsaUse: 2 });
    const v = verifyElf(e, { spec: targetSpec(V6), glibcFloor: null, piOs: null });
    expect(v.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['cpu-too-new:error']);
    expect(v.findings[0]?.message).toContain('Thumb-2 instructions (Tag_THUMB_ISA_use: Thumb-2)');
    // The core that lacks it: the Pi 1/Zero's.
    expect(v.findings[0]?.message).toContain('ARM1176JZF-S');
    // ARMv7 (Pi 2 and later) has Thumb-2: the same binary is fine there.
    expect(verifyElf(e, { spec: targetSpec(V7), glibcFloor: null, piOs: null }).findings).toEqual(
      [],
    );
  });

  it('is said once: code already too new for its Tag_CPU_arch does not repeat it', () => {
    const attrs = parseElf(bin('v6-thumb2')).armAttributes;
    if (!attrs) throw new Error('no attributes');
    expect(tooNewAttributes(attrs, 'v6')).toEqual([
      'Thumb-2 instructions (Tag_THUMB_ISA_use: Thumb-2)',
    ]);
    expect(tooNewAttributes({ ...attrs, thumbIsaUse: 1 }, 'v6')).toEqual([]);
    expect(tooNewAttributes({ ...attrs, cpuArch: 10, cpuArchName: 'v7' }, 'v6')).toEqual([
      'ARMv7 code (Tag_CPU_arch v7)',
    ]);
  });
});

describe('a cpu-too-new message names the oldest core of the target', () => {
  it('ARMv8 code in an ARMv7 build: the Cortex-A7 of the Pi 2', () => {
    const e = parseElf(bin('v6'));
    const attrs = e.armAttributes;
    if (!attrs) throw new Error('no attributes');
    const v8 = { ...e, armAttributes: { ...attrs, cpuArch: 14, cpuArchName: 'v8' } };
    const v = verifyElf(v8, { spec: targetSpec(V7), glibcFloor: null, piOs: null });
    expect(v.findings.map((f) => f.code)).toEqual(['cpu-too-new']);
    expect(v.findings[0]?.message).toContain('Cortex-A7');
    expect(v.findings[0]?.message).toContain('ARMv8 code (Tag_CPU_arch v8)');
  });
});
