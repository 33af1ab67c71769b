import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertPrivate, makeSpaceFreePrivateDir } from '../tempdir.js';
import type { QemuRunner } from './env.js';

/** The first of `names` found as an executable on PATH, like `which`. */
export function which(names: readonly string[], pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const p = path.join(dir, name);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch {
        // not in this PATH entry
      }
    }
  }
  return null;
}

/** `qemu-<arch>-static` (Debian/Ubuntu's package) or plain `qemu-<arch>`. */
export function findQemu(binary: string, pathEnv: string | undefined): string | null {
  return which([`${binary}-static`, binary], pathEnv);
}

/**
 * Cargo splits a `CARGO_TARGET_*_RUNNER` environment value on whitespace, with no quoting, so
 * a tool cache or sysroot path with a space would break it. Symlinks in a space-free directory
 * give the runner paths that survive the split. The directory is private to this run (later
 * steps execute what its links point to) and is left in place: the exported runner is for the
 * user's later steps in the job too.
 */
export function makeRunnerDir(runDir: string): string {
  if (/\s/.test(runDir)) return makeSpaceFreePrivateDir(undefined, 'rpi-cross-runner-');
  const dir = path.join(runDir, 'runner');
  // Not recursive: runDir is fresh and ours, so an existing `runner` was not made by us.
  fs.mkdirSync(dir, { mode: 0o700 });
  assertPrivate(dir, 'the qemu runner links');
  return dir;
}

export function linkRunner(
  dir: string,
  triple: string,
  qemu: string,
  sysroot: string | null,
): QemuRunner {
  const q = path.join(dir, path.basename(qemu));
  relink(q, qemu);
  let s: string | null = null;
  if (sysroot) {
    s = path.join(dir, `sysroot-${triple}`);
    relink(s, sysroot);
  }
  return { kind: 'qemu', qemu: q, sysroot: s };
}

function relink(link: string, target: string): void {
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
}
