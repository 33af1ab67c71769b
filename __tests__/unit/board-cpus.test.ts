/**
 * The qemu CPU model each board and each triple is smoke-run on: it must be the core of the
 * board's SoC (the oldest one a triple runs on), and qemu must really refuse the code that the
 * board cannot run, or a smoke run proves nothing (cortex-a7 for the Pi Zero hides exactly the
 * Illegal-instruction failure this action exists to catch).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BOARDS, TARGETS } from '../../src/targets/table.js';
import { boardsRunning, resolveTargets } from '../../src/targets/resolve.js';

// From the boards' datasheets, not from the table under test: SoC and its CPU core.
const SOC_CORE: Record<string, string> = {
  pi1: 'arm1176', // BCM2835, ARM1176JZF-S
  'pi-zero': 'arm1176',
  'pi-zero-w': 'arm1176',
  pi2: 'cortex-a7', // BCM2836 (the first Pi 2 revisions; v1.2 has a BCM2837)
  'pi-zero-2': 'cortex-a53', // RP3A0 = BCM2710A1
  pi3: 'cortex-a53', // BCM2837
  cm3: 'cortex-a53',
  pi4: 'cortex-a72', // BCM2711
  pi400: 'cortex-a72',
  cm4: 'cortex-a72',
  pi5: 'cortex-a76', // BCM2712
  pi500: 'cortex-a76',
  cm5: 'cortex-a76',
};
/** Oldest first. qemu-arm (32-bit) has no v8 core model: a v8 board runs 32-bit code as an A7. */
const AGE = ['arm1176', 'cortex-a7', 'cortex-a53', 'cortex-a72', 'cortex-a76'];

describe('the qemu CPU of every board is its SoC’s core', () => {
  it('covers every board of the table', () => {
    expect(BOARDS.map((b) => b.name).sort()).toEqual(Object.keys(SOC_CORE).sort());
  });
  it.each(Object.entries(SOC_CORE))('%s → -cpu %s', (board, core) => {
    expect(resolveTargets(board).map((t) => t.qemuCpu)).toEqual([core]);
  });
});

describe('a triple is smoke-run on the oldest core among the boards that run it', () => {
  it.each(TARGETS.map((t) => [t.triple, t] as const))('%s', (triple, spec) => {
    const cores = boardsRunning(spec).map((b) => {
      const core = SOC_CORE[b.name] as string;
      return spec.elf.bits === 32 && AGE.indexOf(core) > 1 ? 'cortex-a7' : core;
    });
    const oldest = AGE.find((c) => cores.includes(c));
    expect(resolveTargets(triple).map((t) => t.qemuCpu)).toEqual([oldest]);
  });
});

describe('qemu really refuses what the chosen core lacks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'board-cpus-'));
    // Freestanding programs: their own _start, exit(0). movw needs ARMv6T2/ARMv7; ldadd (LSE
    // atomics) needs ARMv8.1, which the Cortex-A76 of a Pi 5 has and the A72/A53 lack.
    const arm = (insn: string) =>
      '__attribute__((naked, noreturn)) void _start(void) {\n' +
      `  __asm__ volatile("${insn}\\n\\tmov r0, #0\\n\\tmov r7, #1\\n\\tsvc #0");\n}\n`;
    writeFileSync(join(dir, 'v6.c'), arm('mov r1, #1'));
    writeFileSync(join(dir, 'v7.c'), arm('movw r1, #0x1234'));
    writeFileSync(
      join(dir, 'lse.S'),
      '.globl _start\n_start:\n  sub sp, sp, #16\n  str wzr, [sp]\n  mov w1, #1\n' +
        '  ldadd w1, w2, [sp]\n  mov x0, #0\n  mov x8, #93\n  svc #0\n' +
        '.section .note.GNU-stack,"",%progbits\n',
    );
    const flags = ['-marm', '-mfpu=vfp', '-mfloat-abi=hard', '-O2', '-static', '-nostdlib'];
    const cc = (tool: string, args: string[]) => execFileSync(tool, args, { cwd: dir });
    cc('arm-linux-gnueabihf-gcc', ['-march=armv6', ...flags, 'v6.c', '-o', 'v6']);
    cc('arm-linux-gnueabihf-gcc', ['-march=armv7-a', ...flags, 'v7.c', '-o', 'v7']);
    cc('aarch64-linux-gnu-gcc', ['-march=armv8.2-a', '-static', '-nostdlib', 'lse.S', '-o', 'lse']);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** 'ok' when the program exits 0, 'SIGILL' when qemu kills it for an illegal instruction. */
  function runOn(target: string, prog: string): string {
    const [t] = resolveTargets(target);
    if (!t) throw new Error(target);
    const qemu = `/usr/bin/${t.spec.qemu.binary}-static`;
    const r = spawnSync(qemu, ['-cpu', t.qemuCpu, join(dir, prog)], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (r.status === 0) return 'ok';
    if (r.signal === 'SIGILL' || r.status === 132 || /Illegal instruction/.test(r.stderr)) {
      return 'SIGILL';
    }
    return `exit ${r.status ?? r.signal}: ${r.stderr}`;
  }

  it('ARMv6 (pi-zero and the triple itself): ARMv6 code runs, ARMv7 code dies', () => {
    for (const target of ['pi-zero', 'pi1', 'arm-unknown-linux-gnueabihf']) {
      expect([target, runOn(target, 'v6'), runOn(target, 'v7')]).toEqual([target, 'ok', 'SIGILL']);
    }
    expect(runOn('armv7-unknown-linux-gnueabihf', 'v7')).toBe('ok');
  });

  it('Pi 5: ARMv8.2 code runs on its core, and dies on the Pi 4’s and on the aarch64 triple’s', () => {
    expect(runOn('pi5', 'lse')).toBe('ok');
    expect(runOn('pi4', 'lse')).toBe('SIGILL');
    expect(runOn('aarch64-unknown-linux-gnu', 'lse')).toBe('SIGILL');
  });
});
