/** Which zig to use, and how its binaries are smoke-run. Pure: file checks come in as a function. */
import { compareVersions, type TargetSpec } from '../targets/table.js';
import { zigToolchains, type Manifest, type ZigToolchainEntry } from '../toolchain/manifest.js';
import { ARMV7_LIBC_CPU, HOST_CROSS_LIBC } from './targets.js';

/** The newest pinned zig release that runs on the host. */
export function zigEntryFor(
  manifest: Manifest,
  host: { os: string; arch: string },
): ZigToolchainEntry | null {
  const onHost = zigToolchains(manifest).filter((e) =>
    e.hosts.some((h) => h.os === host.os && h.arch === host.arch),
  );
  return onHost.sort((a, b) => compareVersions(b.release, a.release))[0] ?? null;
}

export interface ZigRunFacts {
  /** qemu -L directory; null for static (musl) binaries or when the host has no cross libc. */
  sysroot: string | null;
  /** qemu CPU when it cannot be the board's; null: the board's. */
  cpu: string | null;
  /** Said in the log and the summary when the smoke run is not what the board would run. */
  note: string | null;
}

/**
 * A zig-linked glibc binary brings no libc of its own: qemu runs it with the host's cross
 * libc. That libc is ARMv7 for armhf, so an ARMv6 binary's smoke run uses an ARMv7 CPU (the
 * loader, not the program, would die under arm1176).
 */
export function zigRunFacts(
  spec: TargetSpec,
  boardCpu: string,
  hasLibc: (dir: string) => boolean,
): ZigRunFacts {
  if (spec.libc === 'musl') return { sysroot: null, cpu: null, note: null };
  const lib = HOST_CROSS_LIBC[spec.arch];
  if (!hasLibc(lib.dir)) {
    return { sysroot: null, cpu: null, note: missingLibcNote(spec) };
  }
  if (spec.cpu === 'v6') {
    return {
      sysroot: lib.dir,
      cpu: ARMV7_LIBC_CPU,
      note: `smoke runs use qemu -cpu ${ARMV7_LIBC_CPU}, not ${boardCpu}: the only armhf libc here (${lib.dir}) is built for ARMv7, and its loader would die under ${boardCpu} before the program starts; the ARMv6 proof is the static check of the binary`,
    };
  }
  return { sysroot: lib.dir, cpu: null, note: null };
}

export function missingLibcNote(spec: TargetSpec): string {
  const lib = HOST_CROSS_LIBC[spec.arch];
  return `no ${spec.arch} libc at ${lib.dir} for qemu -L (package ${lib.apt}): the smoke run cannot start the binary`;
}

/**
 * Cross libc packages to install with qemu for the zig-linked glibc targets that have none yet,
 * and, once installed, the sysroot to give them.
 */
export function crossLibcPackages(specs: readonly TargetSpec[]): string[] {
  return [
    ...new Set(specs.filter((s) => s.libc === 'gnu').map((s) => HOST_CROSS_LIBC[s.arch].apt)),
  ];
}
