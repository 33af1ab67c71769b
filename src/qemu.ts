import { run } from './exec.js';
import { findQemu, which } from './cargo/runner.js';
import type { Log } from './log.js';

/**
 * Finds qemu-user for each binary name; when one is missing on a Linux runner with apt (GitHub's
 * Ubuntu images have none preinstalled), installs Debian/Ubuntu's qemu-user-static. Failure to
 * install only costs the smoke runs: the caller warns and the static checks still run.
 */
export async function ensureQemu(
  binaries: readonly string[],
  pathEnv: string | undefined,
  opts: { install: boolean; log: Log; packages?: readonly string[] },
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const lookup = () => {
    for (const b of binaries) {
      const p = findQemu(b, pathEnv);
      if (p) found.set(b, p);
    }
  };
  lookup();
  const missing = binaries.filter((b) => !found.has(b));
  // Shared libraries zig-linked binaries run with (zig brings no target libc of its own).
  const extra = opts.packages ?? [];
  const aptGet = which(['apt-get'], pathEnv);
  if (
    !opts.install ||
    (missing.length === 0 && extra.length === 0) ||
    process.platform !== 'linux' ||
    !aptGet
  ) {
    return found;
  }
  const pkgs = ['qemu-user-static', ...extra];
  opts.log.info(
    `${[...missing, ...extra].join(', ')} not found: installing ${pkgs.join(' ')} with apt-get`,
  );
  if ((await aptInstall(aptGet, pkgs, false)) || (await aptInstall(aptGet, pkgs, true))) lookup();
  return found;
}

/** `aptGet` is the one found on the PATH we search, so the install lands where we look. */
async function aptInstall(
  aptGet: string,
  pkgs: readonly string[],
  update: boolean,
): Promise<boolean> {
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, aptGet, ...args] as [string, ...string[]];
    return run(cmd, rest, { env, timeoutMs: 300000 }).catch(() => ({ code: 1 }));
  };
  if (update && (await apt(['update', '-q'])).code !== 0) return false;
  const r = await apt(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
  return r.code === 0;
}
