/**
 * Real binaries for the ELF tests, built with Debian's cross compilers (scripts/setup-test-env.sh
 * installs them). Each case reproduces one way a Pi build goes wrong in practice. Built once per
 * test process into os.tmpdir(); every tool runs from an argument array, never a shell string.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, RUST_TOOLCHAIN, TEST_HOME } from './test-env.js';

export const CORPUS_TOOLS = [
  'aarch64-linux-gnu-gcc',
  'aarch64-linux-gnu-ld',
  'arm-linux-gnueabihf-gcc',
  'arm-linux-gnueabihf-ld',
  'arm-linux-gnueabi-gcc',
  'arm-linux-gnueabihf-objcopy',
  'arm-linux-gnueabihf-strip',
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
  | 'not-elf'
  | 'armv6-linked-armv7'
  | 'armv6-attributes-removed'
  | 'armv6-attributes-lie'
  | 'armv6-stripped'
  | 'armv6-good-dynamic'
  | 'armv6-runtime-selected'
  | 'armhf-bare-ld-stripped';

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
  // ARMv6 code of its own; what makes it ARMv7 comes in at link time, as in a real build.
  'v6-main.c':
    '#include <stdio.h>\ndouble v6_poly(double x) { return x * x * 1.5 + 2.0; }\n' +
    'double scale(double); void add4(int *, const int *);\n' +
    'int main(int argc, char **argv) {\n  int a[64] = {0}, b[64] = {1};\n  add4(a, b);\n' +
    '  printf("%f %f %d\\n", v6_poly(argc), scale(argc), a[0]);\n  return argv[0] == 0;\n}\n',
  'v6-good.c':
    '#include <stdio.h>\ndouble v6_poly(double x) { return x * x * 1.5 + 2.0; }\n' +
    'int thumb1_caller(int);\n' +
    'int main(int argc, char **argv) {\n' +
    '  printf("%f %d\\n", v6_poly(argc), thumb1_caller(argc));\n  return argv[0] == 0;\n}\n',
  // Built for ARMv7 + NEON: vmov immediate (VFPv3) and a vectorised loop (NEON).
  'v7-fpu.c':
    'double scale(double x) { return x * 1.5 + 2.0; }\n' +
    'void add4(int *restrict a, const int *restrict b) { for (int i = 0; i < 64; i++) a[i] += b[i]; }\n',
  // Start files in ARMv6 code (Debian's Scrt1.o/crtbeginS.o are Thumb-2), plus a Thumb-1
  // function with BL/BLX pairs and a data word in code that happens to encode dmb.
  'start-v6.S': [
    '.syntax unified', '.arch armv6kz', '.fpu vfpv2', '.arm', '.text',
    '.globl _start', '.type _start, %function',
    '_start: mov fp, #0', 'mov lr, #0', 'pop {r1}', 'mov r2, sp', 'push {r2}', 'push {r0}',
    'mov r3, #0', 'push {r3}', 'ldr r0, 1f', '2: add r0, pc, r0', 'bl __libc_start_main(PLT)',
    'bl abort(PLT)', '.align 2', '1: .word main - (2b + 8)', '.word 0xf57ff05b',
    '.size _start, . - _start',
    '.type arm_callee, %function', 'arm_callee: bx lr', '.size arm_callee, . - arm_callee',
    '.thumb', '.globl thumb1_caller', '.type thumb1_caller, %function', '.thumb_func',
    'thumb1_caller: push {r4, lr}', 'bl thumb1_callee', 'blx arm_callee', 'pop {r4, pc}',
    '.size thumb1_caller, . - thumb1_caller',
    '.type thumb1_callee, %function', '.thumb_func', 'thumb1_callee: mov r8, r8', 'bx lr',
    '.size thumb1_callee, . - thumb1_callee',
    '.section .note.GNU-stack, "", %progbits', '',
  ].join('\n'),
  // musl-style run-time-selected ARMv7 variants next to an ordinary function with the same code.
  'runtime-selected.S': [
    '.syntax unified', '.arch armv7-a', '.arm', '.text',
    '.globl _start', '.type _start, %function',
    '_start: bl v7_barrier', 'mov r0, #0', 'mov r7, #1', 'svc #0', '.size _start, . - _start',
    // musl's atomics.s labels these without .type: untyped symbols must still name them.
    '.globl __a_barrier_v7', '__a_barrier_v7: dmb ish', 'bx lr',
    '.globl __a_cas_v7', '.type __a_cas_v7, %function', '__a_cas_v7: dmb ish', 'bx lr',
    '.size __a_cas_v7, . - __a_cas_v7',
    '.globl v7_barrier', '.type v7_barrier, %function', 'v7_barrier: dmb ish', 'bx lr',
    '.size v7_barrier, . - v7_barrier',
    '.section .note.GNU-stack, "", %progbits', '',
  ].join('\n'),
}; // prettier-ignore

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

const V6_FLAGS = ['-O2', '-marm', '-march=armv6kz', '-mfpu=vfp', '-mfloat-abi=hard'];

/**
 * ARMv6 (pi-zero) cases for the instruction scan: a build whose own code is ARMv6 but whose link
 * pulled in ARMv7 (Debian's Thumb-2 start files, an ARMv7+NEON object), the same file with its
 * attributes removed or replaced by an ARMv6 object's (what zig's linker does), stripped, and
 * a clean ARMv6 build with ARMv6 start files.
 */
const ARMV6_STEPS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  // prettier-ignore
  ['v7-fpu.o', `${ARMHF}-gcc`, ['-O2', '-marm', '-march=armv7-a', '-mfpu=neon-vfpv3',
    '-mfloat-abi=hard', '-ftree-vectorize', '-c', 'v7-fpu.c', '-o', 'v7-fpu.o']],
  [
    'armv6-linked-armv7',
    `${ARMHF}-gcc`,
    [...V6_FLAGS, 'v6-main.c', 'v7-fpu.o', '-o', 'armv6-linked-armv7'],
  ],
  // prettier-ignore
  ['armv6-attributes-removed', `${ARMHF}-objcopy`, ['--remove-section', '.ARM.attributes',
    'armv6-linked-armv7', 'armv6-attributes-removed']],
  // prettier-ignore
  ['v6.attributes', `${ARMHF}-objcopy`, ['--dump-section', '.ARM.attributes=v6.attributes',
    'armv6-freestanding', 'v6-dump.tmp']],
  // prettier-ignore
  ['armv6-attributes-lie', `${ARMHF}-objcopy`, ['--update-section',
    '.ARM.attributes=v6.attributes', 'armv6-linked-armv7', 'armv6-attributes-lie']],
  ['armv6-stripped', `${ARMHF}-strip`, ['armv6-linked-armv7', '-o', 'armv6-stripped']],
  // prettier-ignore
  ['armv6-good-dynamic', `${ARMHF}-gcc`, [...V6_FLAGS, '-nostartfiles', 'start-v6.S', 'v6-good.c',
    '-o', 'armv6-good-dynamic']],
  // prettier-ignore
  ['armv6-runtime-selected', `${ARMHF}-gcc`, ['-static', '-nostdlib', 'runtime-selected.S', '-o',
    'armv6-runtime-selected']],
];

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
  ...ARMV6_STEPS,
  // What staging ships of the bare-ld case: the same file with its symbol table stripped.
  ['armhf-bare-ld-stripped', `${ARMHF}-strip`, ['armhf-bare-ld', '-o', 'armhf-bare-ld-stripped']],
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
    // Intermediate files (objects, dumped sections) have a dot in their name; cases do not.
    ...(STEPS.map(([n]) => n).filter((n) => !n.includes('.')) as CorpusName[]),
    'armv7-truncated',
    'not-elf',
  ];
  cached = Object.fromEntries(names.map((n) => [n, join(dir, n)])) as Corpus;
  return cached;
}

/** The Rust fixture for pi-zero (arm-unknown-linux-gnueabihf), linked two ways. */
export interface RustArmv6Corpus {
  /** Linked by Debian's armhf gcc as the action does: its Thumb-2 Scrt1.o and crtbeginS.o. */
  readonly armv7Linked: string;
  /** The same objects with ARMv6 start files instead (-nostartfiles + start-v6.S). */
  readonly armv6Clean: string;
}

const V6_TRIPLE = 'arm-unknown-linux-gnueabihf';

/**
 * fixtures/hello built with -Zbuild-std for ARMv6 (std from source, ~2.5 min of CPU the first
 * time). Kept in os.tmpdir() under a key of the compiler version and the inputs, so later test
 * runs reuse it; a second link with other start files costs seconds.
 */
export function rustArmv6Corpus(): RustArmv6Corpus {
  const rustc = execFileSync('rustc', [`+${RUST_TOOLCHAIN}`, '-vV']).toString();
  const start = SOURCES['start-v6.S'];
  const key = createHash('sha256')
    .update(rustc)
    .update(start)
    .update(readFileSync(join(FIXTURES, 'hello', 'src', 'main.rs')))
    .digest('hex')
    .slice(0, 12);
  const dir = join(tmpdir(), `rpi-elf-rust-armv6-${key}`);
  const out = { armv7Linked: join(dir, 'armv7-linked'), armv6Clean: join(dir, 'armv6-clean') };
  if (existsSync(join(dir, '.complete'))) return out;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const project = join(dir, 'hello');
  cpSync(join(FIXTURES, 'hello'), project, { recursive: true });
  writeFileSync(join(dir, 'start-v6.S'), start);
  run(`${ARMHF}-gcc`, ['-c', 'start-v6.S', '-o', 'start-v6.o'], dir);
  const env = {
    ...process.env,
    RUSTC_BOOTSTRAP: '1',
    CARGO_HOME: join(TEST_HOME, 'cargo-home-build-std'),
    CARGO_TARGET_DIR: join(dir, 'target'),
    [`CARGO_TARGET_${V6_TRIPLE.toUpperCase().replace(/-/g, '_')}_LINKER`]: `${ARMHF}-gcc`,
  };
  const cargo = (args: string[]) =>
    execFileSync('cargo', [`+${RUST_TOOLCHAIN}`, ...args], { cwd: project, env, stdio: 'pipe' });
  const common = ['--release', '--target', V6_TRIPLE, '-Zbuild-std=std,panic_unwind'];
  const built = join(dir, 'target', V6_TRIPLE, 'release', 'pi-hello');
  cargo(['build', ...common]);
  copyFileSync(built, out.armv7Linked);
  // pre-link args come first, so the ELF header takes its EABI flags from an ARM object.
  const startObj = join(dir, 'start-v6.o');
  cargo(['rustc', ...common, '--', '-Zpre-link-arg=-nostartfiles', `-Zpre-link-arg=${startObj}`]);
  copyFileSync(built, out.armv6Clean);
  // The two binaries are all later runs need; std's build tree is ~100 MB.
  rmSync(join(dir, 'target'), { recursive: true, force: true });
  writeFileSync(join(dir, '.complete'), '');
  return out;
}
