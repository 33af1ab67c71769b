import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError, errorMessage } from './errors.js';
import { euid, facts, notPrivate } from './tempdir.js';

/** The runner's environment the action depends on, read once. */
export interface RunnerEnv {
  workspace: string;
  /** Where this run's private temporary directory goes: RUNNER_TEMP, or the OS temp dir. */
  temp: string;
  toolCache: string;
  /** Set when the tool cache is our per-user default (no RUNNER_TOOL_CACHE): made 0700. */
  ownToolCache: boolean;
  refName: string;
}

/**
 * The per-user cache directory of the platform's convention: a local run (no RUNNER_TOOL_CACHE)
 * keeps its toolchains there, never in the repository it builds.
 */
export function userCacheDir(platform: string, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches');
  if (platform === 'win32') return env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
  // The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and is to be ignored.
  const xdg = env.XDG_CACHE_HOME;
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
}

/** Pure: where the run reads and writes, from the runner's variables or local defaults. */
export function runnerEnv(
  env: NodeJS.ProcessEnv,
  host: { platform: string; cwd: string; home: string; tmpdir: string },
): RunnerEnv {
  const toolCache = env.RUNNER_TOOL_CACHE;
  return {
    workspace: env.GITHUB_WORKSPACE || host.cwd,
    temp: env.RUNNER_TEMP || host.tmpdir,
    toolCache:
      toolCache ||
      path.join(userCacheDir(host.platform, env, host.home), 'rust-rpi-cross', 'tool-cache'),
    ownToolCache: !toolCache,
    refName: env.GITHUB_REF_NAME ?? '',
  };
}

/** What stat says about a runner command file, or the error code stat gave. */
export type FileFacts = { isFile: boolean; isDirectory: boolean; writable: boolean } | string;

/** Why the runner's command file cannot take our lines, or null when it can. */
export function commandFileProblem(facts: FileFacts): string | null {
  if (typeof facts === 'string')
    return facts === 'ENOENT' ? 'does not exist' : `cannot be read (${facts})`;
  if (facts.isDirectory) return 'is a directory, not a file';
  if (!facts.isFile) return 'is not a regular file';
  if (!facts.writable) return 'is not writable';
  return null;
}

function fileFacts(file: string): FileFacts {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? errorMessage(err);
  }
  let writable = true;
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch {
    writable = false;
  }
  return { isFile: st.isFile(), isDirectory: st.isDirectory(), writable };
}

/** The files @actions/core writes the step's outputs and exported variables to. */
const COMMAND_FILES = [
  ['GITHUB_OUTPUT', "the step's outputs"],
  ['GITHUB_ENV', 'the variables exported to later steps'],
] as const;

/**
 * Checked before anything is built or uploaded, so a broken runner file costs no build and
 * says which file it is (@actions/core would throw a bare EISDIR or "Missing file" at the end).
 */
export function checkCommandFiles(env: NodeJS.ProcessEnv): void {
  for (const [name, what] of COMMAND_FILES) {
    const file = env[name];
    if (!file) continue; // @actions/core falls back to workflow commands on stdout
    const why = commandFileProblem(fileFacts(file));
    if (why) {
      throw new ActionError(
        `${name} (${file}) ${why}: the action writes ${what} there. The runner sets ${name} to a writable file; in a local run unset it or point it at one.`,
        name,
      );
    }
  }
}

/**
 * A tool cache every local user can write to lets any of them plant a "complete" toolchain the
 * build then runs (its gcc, as this user), or a symlink where the action writes a marker file.
 */
export function checkToolCache(dir: string, own: boolean): void {
  const name = own ? 'the per-user cache directory' : 'RUNNER_TOOL_CACHE';
  if (own) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new ActionError(
        `cannot make the tool cache ${dir} (${name}): ${errorMessage(err)}. Set RUNNER_TOOL_CACHE to a writable directory.`,
        'toolchain',
      );
    }
    // Our own fixed names (an XDG_CACHE_HOME of /tmp makes them shared): made by us, kept ours.
    for (const d of [path.dirname(dir), dir]) {
      const why = notPrivate(facts(d), euid(), 0o022);
      if (why) {
        throw new ActionError(
          `refusing the tool cache ${dir} (${name}): ${d} is not this user's alone, ${why}. Point XDG_CACHE_HOME or RUNNER_TOOL_CACHE at a directory of this user's.`,
          'toolchain',
        );
      }
    }
  }
  let mode: number;
  try {
    mode = fs.statSync(dir).mode;
  } catch {
    return; // not there yet: the install makes it, or says why it cannot
  }
  // euid null: Windows, whose stat reports no real mode bits.
  if (euid() !== null && mode & 0o002) {
    throw new ActionError(
      `the tool cache ${dir} (${name}) is writable by every local user (mode ${(mode & 0o7777).toString(8)}): any of them could put a toolchain there that this build would run. Remove the write bit for others (chmod o-w) or point RUNNER_TOOL_CACHE at a directory of this user's.`,
      'toolchain',
    );
  }
}
