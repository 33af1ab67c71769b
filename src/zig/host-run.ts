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
 * ARMv8 and many server cores (e.g. Neoverse N2) have none, so arm stays under qemu-arm. macOS
 * has no user-mode qemu (qemu-user is Linux-only).
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
  /**
   * Under qemu-user with the board's CPU (or the CPU the run facts name). Also the answer when
   * qemu is missing and nothing else can run the binary: the caller then warns that it is missing.
   */
  | { readonly how: 'qemu' }
  /** Executed by the host itself: no qemu, no `-cpu`; `note` says what that does not prove. */
  | { readonly how: 'native'; readonly note: string }
  /** Nothing can run it here: static checks only, said as a notice. */
  | { readonly how: 'none'; readonly notice: string };

function rowFor(host: Pick<HostFacts, 'os' | 'arch'>): HostRunRow {
  return HOST_RUNS[`${host.os}/${host.arch}`] ?? UNKNOWN_HOST;
}

/**
 * The smoke run (and cargo runner) for one target on this host. qemu with the board's CPU comes
 * first wherever it is there, even for code the host could execute: a Neoverse host would run
 * instructions a Cortex-A72 has not. Without qemu, a host that executes the target's arch runs
 * the binary itself. A native glibc binary uses the host's own loader and libc, so that needs a
 * host glibc at least as new as the Pi OS floor it was linked for; musl binaries are static.
 */
export function hostRun(
  host: HostFacts,
  spec: TargetSpec,
  boardCpu: string,
  glibcFloor: string,
  /** Whether the target's qemu-user binary was found (after any install attempt). */
  qemuFound: boolean,
): HostRun {
  const row = rowFor(host);
  if (row.qemu && qemuFound) return { how: 'qemu' };
  const libcFits =
    spec.libc === 'musl' || (host.glibc !== null && compareVersions(host.glibc, glibcFloor) >= 0);
  if (row.native.includes(spec.arch) && libcFits) {
    const libc =
      spec.libc === 'musl'
        ? 'it is static (musl), so no libc of the host is involved'
        : `it runs with the host's glibc ${host.glibc ?? '?'}, not Pi OS's (the binary needs at most ${glibcFloor}, checked statically)`;
    return {
      how: 'native',
      note: `${spec.triple}: runs natively on this ${host.os}/${host.arch} host, not under qemu -cpu ${boardCpu} (${spec.qemu.binary} is not installed): the host CPU is not the board's, so the CPU level is proven by the static checks only; ${libc}`,
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

/** What to tell a user whose qemu is missing: apt on Linux, nothing to install elsewhere. */
export function qemuMissingAdvice(host: Pick<HostFacts, 'os' | 'arch'>): string {
  return host.os === 'linux'
    ? 'Install qemu-user-static (apt-get install qemu-user-static) to run them.'
    : `${rowFor(host).noQemu ?? 'there is no qemu-user for this host'}: run the smoke test on a Linux runner.`;
}
