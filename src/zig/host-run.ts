/**
 * How a built binary can be smoke-run on the runner's host, as data: zig is what lets arm64 and
 * macOS runners build for the Pi at all, and neither is an x86_64 Linux box with qemu-user.
 * Pure: the host, the target and the host's glibc come in as values.
 */
import { compareVersions, type TargetSpec } from '../targets/table.js';

export interface HostFacts {
  /** `process.platform`. */
  readonly os: string;
  /** `process.arch`. */
  readonly arch: string;
  /** The host's own glibc (`process.report` header `glibcVersionRuntime`); null: none/unknown. */
  readonly glibc: string | null;
}

interface HostRunRow {
  /** Target arches the host CPU executes itself. */
  readonly native: readonly TargetSpec['arch'][];
  /** Whether qemu-user exists for this host at all. */
  readonly qemu: boolean;
  /** Why nothing runs here, for the notice (hosts without qemu-user). */
  readonly noQemu?: string;
}

/**
 * arm64 Linux runs aarch64 code natively, but not 32-bit ARM: AArch32 at EL0 is optional in
 * ARMv8 and many server cores (e.g. Neoverse N2) have none, so arm stays under qemu-arm. macOS has no user-mode qemu (qemu-user is Linux-only).
 */
export const HOST_RUNS: Readonly<Record<string, HostRunRow>> = {
  'linux/x64': { native: [], qemu: true },
  'linux/arm64': { native: ['aarch64'], qemu: true },
  'darwin/arm64': {
    native: [],
    qemu: false,
    noQemu: 'macOS has no qemu-user (user-mode emulation of Linux binaries is Linux-only)',
  },
  'darwin/x64': {
    native: [],
    qemu: false,
    noQemu: 'macOS has no qemu-user (user-mode emulation of Linux binaries is Linux-only)',
  },
};

const UNKNOWN_HOST: HostRunRow = {
  native: [],
  qemu: false,
  noQemu: 'the action knows no qemu-user for this host',
};

export type HostRun =
  /** Under qemu-user with the board's CPU (or the CPU the run facts name). */
  | { readonly how: 'qemu' }
  /** Executed by the host itself: no qemu, no `-cpu`; `note` says what that does not prove. */
  | { readonly how: 'native'; readonly note: string }
  /** Nothing can run it here: static checks only, said as a notice. */
  | { readonly how: 'none'; readonly notice: string };

function rowFor(host: Pick<HostFacts, 'os' | 'arch'>): HostRunRow {
  return HOST_RUNS[`${host.os}/${host.arch}`] ?? UNKNOWN_HOST;
}

/**
 * The smoke run for one target on this host. A native run of a glibc binary uses the host's
 * own loader and libc, so it needs a host glibc at least as new as the Pi OS floor the binary
 * was linked for; otherwise qemu with the cross libc is the run that can start it.
 */
export function hostRun(
  host: HostFacts,
  spec: TargetSpec,
  boardCpu: string,
  glibcFloor: string,
): HostRun {
  const row = rowFor(host);
  const libcFits =
    spec.libc === 'musl' || (host.glibc !== null && compareVersions(host.glibc, glibcFloor) >= 0);
  if (row.native.includes(spec.arch) && libcFits) {
    return {
      how: 'native',
      note: `runs natively on this ${host.os}/${host.arch} host, not under qemu -cpu ${boardCpu}: the host CPU is newer than the board's, so the CPU-level proof is the static check of the binary`,
    };
  }
  if (row.qemu) return { how: 'qemu' };
  return { how: 'none', notice: noRunNotice(host, spec) };
}

/** Said once per target when nothing on this host can run its binaries. */
export function noRunNotice(host: Pick<HostFacts, 'os' | 'arch'>, spec: TargetSpec): string {
  const why = rowFor(host).noQemu ?? 'no qemu-user here';
  return `${spec.triple}: ${why}, so its binaries are not smoke-run on this ${host.os}/${host.arch} runner; they are checked statically (ELF, float ABI, glibc floor${spec.cpu === 'v6' ? ', the ARMv6 instruction scan' : ''}). Run the smoke test on a Linux runner to execute them.`;
}

/** Whether qemu is worth looking for (and installing) on this host for these targets. */
export function needsQemu(host: HostFacts, runs: readonly HostRun[]): boolean {
  return rowFor(host).qemu && runs.some((r) => r.how === 'qemu');
}

/** What to tell a user whose qemu is missing: apt on Linux, nothing to install elsewhere. */
export function qemuMissingAdvice(host: Pick<HostFacts, 'os' | 'arch'>): string {
  return host.os === 'linux'
    ? 'Install qemu-user-static (apt-get install qemu-user-static) to run them.'
    : `${rowFor(host).noQemu ?? 'there is no qemu-user for this host'}: run the smoke test on a Linux runner.`;
}
