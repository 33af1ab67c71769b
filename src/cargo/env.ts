import type { ResolvedTarget } from '../targets/resolve.js';
import { tripleCargoKey, tripleEnvSuffix } from '../targets/table.js';
import type { ToolchainPaths } from '../toolchain/layout.js';
import type { ZigWrappers } from '../zig/wrappers.js';

/** How one target is linked. */
export type LinkPlan =
  { kind: 'gcc'; layout: ToolchainPaths; tools: GccTools } | { kind: 'rust-lld' } | ZigPlan;

/** zig as C/C++ compiler, archiver and linker, through the action's wrappers. */
export interface ZigPlan {
  kind: 'zig';
  zig: string;
  version: string;
  /** zig `-target` (floor included) and `-mcpu`. */
  target: string;
  cpu: string | null;
  wrappers: ZigWrappers;
  /** The target's shared libraries for `qemu -L` (the host's cross libc); null: none/static. */
  runSysroot: string | null;
  /** qemu CPU for smoke runs when the board's own cannot run with `runSysroot`; null: the board's. */
  runCpu: string | null;
  /** zig's global cache (ZIG_GLOBAL_CACHE_DIR), kept in the tool cache. */
  cacheDir: string;
}

/** Where qemu finds a dynamically linked binary's loader and libc for this plan. */
export function planSysroot(plan: LinkPlan): string | null {
  if (plan.kind === 'gcc') return plan.layout.sysroot;
  if (plan.kind === 'zig') return plan.runSysroot;
  return null;
}

/** Which optional tools the toolchain has (g++, ranlib, strip). */
export interface GccTools {
  cxx: boolean;
  ranlib: boolean;
  strip: boolean;
}

/**
 * How cargo and the smoke run execute one target's binaries: under qemu with the board's CPU, or
 * (an arm64 Linux host without qemu-aarch64) by the host itself.
 */
export type RunnerPaths = QemuRunner | NativeRunner;

/** A qemu runner reachable through paths without spaces (cargo splits RUNNER on whitespace). */
export interface QemuRunner {
  kind: 'qemu';
  qemu: string;
  /** Sysroot link for `-L`; null for static (musl) targets. */
  sysroot: string | null;
  /** qemu CPU model when it differs from the target's (see ZigPlan.runCpu). */
  cpu?: string;
}

/** The host executes the binary itself: no emulated CPU, the host's glibc. */
export interface NativeRunner {
  kind: 'native';
  /** What a native run does not prove, for the log and the summary. */
  note: string;
}

/** How a binary was run, as the summary and the outputs report it. */
export type HowRun = { how: 'qemu'; cpu: string } | { how: 'native'; note: string };

export function howRun(target: ResolvedTarget, runner: RunnerPaths): HowRun {
  return runner.kind === 'qemu'
    ? { how: 'qemu', cpu: runner.cpu ?? target.qemuCpu }
    : { how: 'native', note: runner.note };
}

/** "under qemu -cpu cortex-a72" / "natively on this host", for log lines and findings. */
export function howRunWords(ran: HowRun): string {
  return ran.how === 'qemu' ? `under qemu -cpu ${ran.cpu}` : 'natively on this host';
}

/**
 * `sysroot-packages` for one target: the merged sysroot (toolchain sysroot + the packages) and
 * the compiler wrappers that point gcc or zig at it, so cc-rs, cmake and the linker all see it.
 */
export interface TargetSysroot {
  dir: string;
  cc: string;
  cxx: string | null;
}

/** pkg-config's whole search path inside `sysroot`: LIBDIR, since PATH only adds to the host's. */
export function pkgConfigLibdir(sysroot: string, gccTriple: string): string {
  return [
    `${sysroot}/usr/lib/pkgconfig`,
    `${sysroot}/usr/share/pkgconfig`,
    `${sysroot}/usr/lib/${gccTriple}/pkgconfig`,
  ].join(':');
}

/**
 * The environment that configures cargo and cc-rs for one target. Cargo reads only environment
 * variables from us — nothing is written into the user's repository.
 */
export function cargoEnv(
  target: ResolvedTarget,
  plan: LinkPlan,
  runner: RunnerPaths | null,
  sysroot: TargetSysroot | null = null,
): Record<string, string> {
  const key = tripleCargoKey(target.spec.triple);
  const sfx = tripleEnvSuffix(target.spec.triple);
  const env: Record<string, string> = {};
  if (plan.kind === 'gcc') {
    const p = plan.layout.binPrefix;
    // The gcc *driver*, never ld: only the driver adds crt1.o/crti.o and libc, without which
    // the binary links "fine" and does nothing on the Pi.
    env[`CARGO_TARGET_${key}_LINKER`] = `${p}gcc`;
    env[`CC_${sfx}`] = `${p}gcc`;
    if (plan.tools.cxx) env[`CXX_${sfx}`] = `${p}g++`;
    env[`AR_${sfx}`] = `${p}ar`;
    if (plan.tools.ranlib) env[`RANLIB_${sfx}`] = `${p}ranlib`;
    env[`PKG_CONFIG_SYSROOT_DIR_${sfx}`] = plan.layout.sysroot;
    env[`PKG_CONFIG_LIBDIR_${sfx}`] = pkgConfigLibdir(plan.layout.sysroot, target.spec.gccTriple);
    env[`PKG_CONFIG_ALLOW_CROSS_${sfx}`] = '1';
  } else if (plan.kind === 'zig') {
    const w = plan.wrappers;
    env[`CARGO_TARGET_${key}_LINKER`] = w.cc;
    env[`CC_${sfx}`] = w.cc;
    env[`CXX_${sfx}`] = w.cxx;
    env[`AR_${sfx}`] = w.ar;
    env[`RANLIB_${sfx}`] = w.ranlib;
    env.ZIG_GLOBAL_CACHE_DIR = plan.cacheDir;
    if (target.spec.libc === 'musl') {
      // zig brings crt1.o and its own musl; Rust's self-contained copies would clash with them.
      env[`CARGO_TARGET_${key}_RUSTFLAGS`] = '-C link-self-contained=no';
    }
  } else {
    // rustc's musl targets carry their own crt objects and libc ("self-contained"), so the
    // lld rustup ships is all the linking they need.
    env[`CARGO_TARGET_${key}_LINKER`] = 'rust-lld';
  }
  if (sysroot) {
    env[`CARGO_TARGET_${key}_LINKER`] = sysroot.cc;
    env[`CC_${sfx}`] = sysroot.cc;
    if (sysroot.cxx) env[`CXX_${sfx}`] = sysroot.cxx;
    env[`PKG_CONFIG_SYSROOT_DIR_${sfx}`] = sysroot.dir;
    env[`PKG_CONFIG_LIBDIR_${sfx}`] = pkgConfigLibdir(sysroot.dir, target.spec.gccTriple);
    env[`PKG_CONFIG_ALLOW_CROSS_${sfx}`] = '1';
  }
  // A native target needs no runner: cargo executes host-compatible binaries itself.
  if (runner?.kind === 'qemu')
    env[`CARGO_TARGET_${key}_RUNNER`] = runnerCommand(target, runner).join(' ');
  return env;
}

/**
 * What goes before the binary: qemu with the Pi's CPU model (the default `max` CPU would hide
 * ARMv7 code in an ARMv6 build), or nothing for a native run.
 */
export function runnerCommand(target: ResolvedTarget, runner: RunnerPaths): string[] {
  if (runner.kind === 'native') return [];
  const cmd = [runner.qemu, '-cpu', runner.cpu ?? target.qemuCpu];
  if (runner.sysroot) cmd.push('-L', runner.sysroot);
  return cmd;
}
