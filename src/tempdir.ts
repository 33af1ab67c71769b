import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActionError, errorMessage } from './errors.js';

/**
 * Every directory the action writes temporary files to is made here, fresh, owner-only, with a
 * random name. A fixed or guessable name in a shared directory (/tmp, a RUNNER_TEMP of /tmp)
 * can be created first by another local user, who then owns what the action puts there: the
 * qemu runner links that later steps execute, the binaries between verification and upload.
 */

/** The facts about a directory that decide whether only we can change it. */
export interface DirFacts {
  isDirectory: boolean;
  isSymbolicLink: boolean;
  uid: number;
  mode: number;
}

/**
 * Why `dir` is not private to `euid`, or null when it is (ours, a real directory, none of the
 * `mask` mode bits: by default owner-only; 0o022 lets others read but not change it).
 */
export function notPrivate(facts: DirFacts, euid: number | null, mask = 0o077): string | null {
  if (facts.isSymbolicLink) return 'it is a symbolic link';
  if (!facts.isDirectory) return 'it is not a directory';
  // Windows has no user ids and no POSIX mode bits (stat reports 666/777): its ACLs decide.
  if (euid === null) return null;
  if (facts.uid !== euid) return `it is owned by uid ${facts.uid}, not by this user (uid ${euid})`;
  if ((facts.mode & mask) !== 0)
    return `its mode ${(facts.mode & 0o7777).toString(8)} lets other users in`;
  return null;
}

/**
 * Whether entries made in a directory of this mode stay ours: a world-writable directory
 * without the sticky bit lets anyone rename our entry away and put theirs in its place.
 */
export function safeParentMode(mode: number): boolean {
  return (mode & 0o002) === 0 || (mode & 0o1000) !== 0;
}

export function facts(dir: string): DirFacts {
  const st = fs.lstatSync(dir);
  return {
    isDirectory: st.isDirectory(),
    isSymbolicLink: st.isSymbolicLink(),
    uid: st.uid,
    mode: st.mode,
  };
}

export function euid(): number | null {
  return typeof process.geteuid === 'function' ? process.geteuid() : null;
}

/** Throws unless `dir` is a directory only this user can change. */
export function assertPrivate(dir: string, what: string): void {
  const why = notPrivate(facts(dir), euid());
  if (why) throw new ActionError(`refusing to use ${dir} for ${what}: ${why}`, 'temporary files');
}

/**
 * A new directory `<parent>/<prefix>XXXXXX`, mode 0700, that nobody else made or can change.
 * `envName` names the setting that chose `parent`, for the message when it cannot be made.
 */
export function makePrivateDir(parent: string, prefix: string, envName: string): string {
  let dir: string;
  try {
    fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
    if (euid() !== null && !safeParentMode(fs.statSync(parent).mode)) {
      throw new Error(
        'it is writable by every user without the sticky bit, so others could replace what is made there',
      );
    }
    dir = fs.mkdtempSync(path.join(parent, prefix));
  } catch (err) {
    throw new ActionError(
      `cannot make a private temporary directory in ${parent}: ${errorMessage(err)}. Make ${envName} a writable directory of this user's (or free disk space).`,
      'temporary files',
    );
  }
  assertPrivate(dir, 'temporary files');
  return dir;
}

/**
 * Where a directory whose path must contain no whitespace can go: cargo splits
 * CARGO_TARGET_*_RUNNER on whitespace with no quoting, and @actions/cache splits tar's command
 * line the same way. The first candidate without whitespace (or a quote) wins.
 */
export function spaceFreeParent(candidates: readonly (string | undefined)[]): string | null {
  for (const c of candidates) if (c && !/[\s"']/.test(c)) return c;
  return null;
}

/** A new private directory whose path has no whitespace: under `preferred` or the OS temp dir. */
export function makeSpaceFreePrivateDir(preferred: string | undefined, prefix: string): string {
  const parent = spaceFreeParent([preferred, os.tmpdir(), '/tmp']);
  if (!parent) {
    throw new ActionError(
      `no directory without spaces for ${prefix}… (tried ${[preferred, os.tmpdir(), '/tmp'].filter(Boolean).join(', ')}); set TMPDIR to a path without spaces`,
      'temporary files',
    );
  }
  return makePrivateDir(parent, prefix, parent === preferred ? 'RUNNER_TEMP' : 'TMPDIR');
}
