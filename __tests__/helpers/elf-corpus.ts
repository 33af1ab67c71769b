/**
 * Real binaries for the ELF tests, built with Debian's cross compilers (scripts/setup-test-env.sh
 * installs them). Each case reproduces one way a Pi build goes wrong in practice. Built once per
 * test process into os.tmpdir(); every tool runs from an argument array, never a shell string.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CORPUS_TOOLS = [
  'aarch64-linux-gnu-gcc',
  'aarch64-linux-gnu-ld',
  'arm-linux-gnueabihf-gcc',
  'arm-linux-gnueabihf-ld',
  'arm-linux-gnueabi-gcc',
  'gcc',
] as const;

export type CorpusName =
  | 'aarch64-good'
  | 'aarch64-static-pie'
  | 'armv7-good'
  | 'armv6-freestanding'
  | 'armv7-movw-static'
  | 'armel-soft-float'
  | 'x86_64-host'
  | 'armhf-bare-ld'
  | 'aarch64-bare-ld-e-main'
  | 'armhf-bare-ld-libc'
  | 'armhf-entry-0x4'
  | 'armhf-object'
  | 'armhf-shared-lib'
  | 'armv7m-microcontroller'
  | 'armv7-big'
  | 'armv7-truncated'
  | 'not-elf';

export type Corpus = Readonly<Record<CorpusName, string>>;

const SOURCES = {
  'hello.c': '#include <stdio.h>\nint main(void) { printf("hello from the pi\\n"); return 0; }\n',
  'bare.c': 'int main(void) { return 42; }\n',
  // movw exists from ARMv6T2/ARMv7 on: the ARM1176 of a Pi 1/Zero raises SIGILL on it.
  'movw.c':
    'int main(void) {\n  int r;\n  __asm__ volatile("movw %0, #0x1234" : "=r"(r));\n' +
    '  return r == 0x1234 ? 0 : 1;\n}\n',
  // A correct ARMv6 program needs no ARMv6 libc: its own _start calls exit(0) (EABI: r7 = 1).
  'v6.c':
    '__attribute__((naked, noreturn)) void _start(void) {\n' +
    '  __asm__ volatile("mov r0, #0\\n\\tmov r7, #1\\n\\tsvc #0");\n}\n',
  'lib.c': 'int answer(void) { return 42; }\n',
  'spin.c': '__attribute__((naked, noreturn)) void _start(void) { __asm__ volatile("b ."); }\n',
};

/** ~5 MB of data and 30 000 function symbols: the size of a real Rust binary, for timing. */
function bigAssembly(): string {
  const lines = ['.syntax unified', '.arm', '.section .note.GNU-stack,"",%progbits'];
  lines.push('.section .rodata', '.globl blob', 'blob: .space 4800000, 1', '.text');
  for (let i = 0; i < 30000; i++) {
    lines.push(`.globl fn_${i}`, `.type fn_${i}, %function`, `fn_${i}: bx lr`);
  }
  return lines.join('\n') + '\n';
}

function run(tool: string, args: string[], cwd: string): void {
  try {
    execFileSync(tool, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(
      `corpus: ${tool} ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`,
    );
  }
}

/** Tools the corpus needs that are not on PATH. */
export function missingCorpusTools(): string[] {
  return CORPUS_TOOLS.filter((t) => {
    try {
      execFileSync(t, ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

const ARMHF = 'arm-linux-gnueabihf';
const A64 = 'aarch64-linux-gnu';

/** [output, tool, args]; run in order inside the corpus directory. */
const STEPS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['aarch64-good', `${A64}-gcc`, ['-O2', 'hello.c', '-o', 'aarch64-good']],
  [
    'aarch64-static-pie',
    `${A64}-gcc`,
    ['-O2', '-static-pie', 'hello.c', '-o', 'aarch64-static-pie'],
  ],
  ['armv7-good', `${ARMHF}-gcc`, ['-O2', 'hello.c', '-o', 'armv7-good']],
  [
    'armv6-freestanding',
    `${ARMHF}-gcc`,
    // prettier-ignore
    ['-march=armv6', '-marm', '-mfpu=vfp', '-mfloat-abi=hard', '-O2', '-static', '-nostdlib',
      'v6.c', '-o', 'armv6-freestanding'],
  ],
  ['armv7-movw-static', `${ARMHF}-gcc`, ['-O2', '-static', 'movw.c', '-o', 'armv7-movw-static']],
  ['armel-soft-float', 'arm-linux-gnueabi-gcc', ['-O2', 'hello.c', '-o', 'armel-soft-float']],
  ['x86_64-host', 'gcc', ['-O2', 'hello.c', '-o', 'x86_64-host']],
  ['armhf-object', `${ARMHF}-gcc`, ['-O2', '-c', 'bare.c', '-o', 'armhf-object']],
  ['aarch64-bare.o', `${A64}-gcc`, ['-O2', '-c', 'bare.c', '-o', 'aarch64-bare.o']],
  // The classic "binary does nothing on the Pi": cargo's linker set to ld itself.
  ['armhf-bare-ld', `${ARMHF}-ld`, ['armhf-object', '-o', 'armhf-bare-ld']],
  [
    'aarch64-bare-ld-e-main',
    `${A64}-ld`,
    ['-e', 'main', 'aarch64-bare.o', '-o', 'aarch64-bare-ld-e-main'],
  ],
  [
    'armhf-bare-ld-libc',
    `${ARMHF}-ld`,
    ['armhf-object', '-o', 'armhf-bare-ld-libc', `-L/usr/${ARMHF}/lib`, '-lc'],
  ],
  [
    'armhf-entry-0x4',
    `${ARMHF}-gcc`,
    ['-O2', '-static', '-Wl,-e,0x4', 'hello.c', '-o', 'armhf-entry-0x4'],
  ],
  [
    'armv7m-microcontroller',
    `${ARMHF}-gcc`,
    // prettier-ignore
    ['-mcpu=cortex-m4', '-mthumb', '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard', '-O2', '-static',
      '-nostdlib', 'spin.c', '-o', 'armv7m-microcontroller'],
  ],
  ['armv7-big', `${ARMHF}-gcc`, ['-O2', 'hello.c', 'big.S', '-o', 'armv7-big']],
  [
    'armhf-shared-lib',
    `${ARMHF}-gcc`,
    ['-O2', '-shared', '-fPIC', 'lib.c', '-o', 'armhf-shared-lib'],
  ],
];

function build(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(SOURCES)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'big.S'), bigAssembly());
  for (const [, tool, args] of STEPS) run(tool, [...args], dir);
  const good = readFileSync(join(dir, 'armv7-good'));
  // Cut inside the loadable code, as an interrupted scp or artifact download would.
  writeFileSync(join(dir, 'armv7-truncated'), good.subarray(0, Math.floor(good.length / 2)));
  writeFileSync(join(dir, 'not-elf'), '#!/bin/sh\necho this is a script, not a binary\n');
  writeFileSync(join(dir, '.complete'), '');
}

const CORPUS_DIR = /^rpi-elf-corpus-(\d+)$/;

/**
 * Each corpus is ~10 MB and jest workers give no reliable exit hook, so a new one sweeps away
 * those whose process is gone (Linux: no /proc entry) instead of leaving one per run.
 */
function removeStaleCorpora(): void {
  if (!existsSync('/proc/self')) return;
  for (const entry of readdirSync(tmpdir())) {
    const pid = CORPUS_DIR.exec(entry)?.[1];
    if (pid && Number(pid) !== process.pid && !existsSync(`/proc/${pid}`)) {
      rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    }
  }
}

let cached: Corpus | null = null;

/** Builds (or reuses) this process's corpus; throws naming any missing tool. */
export function elfCorpus(): Corpus {
  if (cached) return cached;
  const missing = missingCorpusTools();
  if (missing.length) {
    throw new Error(`ELF corpus needs ${missing.join(', ')}: run npm run setup-test-env (as root)`);
  }
  const dir = join(tmpdir(), `rpi-elf-corpus-${process.pid}`);
  if (!existsSync(join(dir, '.complete'))) {
    removeStaleCorpora();
    build(dir);
  }
  const names: CorpusName[] = [
    ...(STEPS.map(([n]) => n).filter((n) => !n.endsWith('.o')) as CorpusName[]),
    'armv7-truncated',
    'not-elf',
  ];
  cached = Object.fromEntries(names.map((n) => [n, join(dir, n)])) as Corpus;
  return cached;
}
