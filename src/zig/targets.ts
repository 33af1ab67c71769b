/**
 * What zig needs to know per Rust target, as data: its target name and the CPU its C code,
 * crt objects and libc are built for.
 */
import type { TargetSpec } from '../targets/table.js';

export interface ZigTargetFacts {
  /** zig's `-target` without the glibc floor. */
  readonly target: string;
  /**
   * `-mcpu` in zig's spelling; null = zig's generic CPU for the arch. 32-bit ARM always names
   * one: zig 0.11's default arm CPU is ARMv6KZ and zig ≥0.14's is ARMv7-A, neither is right
   * for both. `cortex_a7` rather than `generic+v7a…`: zig 0.11 applies the latter to code
   * generation but keeps the C predefines at ARMv6 (`__ARM_ARCH 6`).
   */
  readonly cpu: string | null;
}

export const ZIG_TARGETS: Readonly<Record<string, ZigTargetFacts>> = {
  'aarch64-unknown-linux-gnu': { target: 'aarch64-linux-gnu', cpu: null },
  'armv7-unknown-linux-gnueabihf': { target: 'arm-linux-gnueabihf', cpu: 'cortex_a7' },
  'arm-unknown-linux-gnueabihf': { target: 'arm-linux-gnueabihf', cpu: 'arm1176jzf_s' },
  'aarch64-unknown-linux-musl': { target: 'aarch64-linux-musl', cpu: null },
  'armv7-unknown-linux-musleabihf': { target: 'arm-linux-musleabihf', cpu: 'cortex_a7' },
  'arm-unknown-linux-musleabihf': { target: 'arm-linux-musleabihf', cpu: 'arm1176jzf_s' },
};

/**
 * zig's `-target` for a Rust target: gnu targets carry the glibc floor, so zig links against
 * exactly that glibc's symbol versions (`arm-linux-gnueabihf.2.31`), never a newer one.
 */
export function zigTarget(spec: TargetSpec, glibcFloor: string): string {
  const facts = zigFacts(spec);
  return spec.libc === 'gnu' ? `${facts.target}.${glibcFloor}` : facts.target;
}

export function zigFacts(spec: TargetSpec): ZigTargetFacts {
  const facts = ZIG_TARGETS[spec.triple];
  if (!facts) throw new Error(`internal: no zig target for ${spec.triple}`);
  return facts;
}

/**
 * Debian/Ubuntu's cross libc packages: the target's loader and shared libraries that qemu
 * needs (`-L`) to run a dynamically linked zig-built binary. Both are built for ARMv7 (armhf)
 * or ARMv8 (arm64).
 */
export const HOST_CROSS_LIBC: Readonly<
  Record<TargetSpec['arch'], { readonly dir: string; readonly apt: string }>
> = {
  aarch64: { dir: '/usr/aarch64-linux-gnu', apt: 'libc6-arm64-cross' },
  arm: { dir: '/usr/arm-linux-gnueabihf', apt: 'libc6-armhf-cross' },
};

/** The CPU an ARMv7 loader needs: the oldest one the host's armhf libc runs on. */
export const ARMV7_LIBC_CPU = 'cortex-a7';
