/**
 * Recognises an unpacked zig distribution: a `zig` executable beside its `lib/` (the release
 * archives and a user's `toolchain-url` copy of one look like that). Kept apart from
 * layout.ts, which knows gcc toolchains.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../exec.js';

export interface ZigPaths {
  root: string;
  zig: string;
  version: string;
}

/** Regular files and directories only: a symlink could point anywhere on the runner. */
function isRealFile(p: string): boolean {
  try {
    return fs.lstatSync(p).isFile();
  } catch {
    return false;
  }
}

function isRealDir(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `root` holds a zig distribution (no process is started). */
export function isZigDistribution(root: string): boolean {
  return (
    isRealFile(path.join(root, 'zig')) &&
    isRealDir(path.join(root, 'lib')) &&
    // zig's own lib/ has its C runtime sources; a gcc toolchain's lib/ does not.
    isRealDir(path.join(root, 'lib', 'libc'))
  );
}

/** The zig executable and the version it reports. */
export async function discoverZig(root: string): Promise<ZigPaths> {
  if (!isZigDistribution(root)) {
    throw new Error(
      `${root} is not a zig distribution: expected a zig executable beside lib/ (with lib/libc/), as in zig's release archives`,
    );
  }
  const zig = path.join(root, 'zig');
  const r = await run(zig, ['version'], { timeoutMs: 60000 }).catch((err: Error) => {
    throw new Error(`cannot run ${zig}: ${err.message} (a zig built for another host?)`);
  });
  const version = r.stdout.trim();
  if (r.code !== 0 || !/^\d+\.\d+\.\d+\S*$/.test(version)) {
    throw new Error(
      `${zig} version failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 200)}`,
    );
  }
  return { root, zig, version };
}
