import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tc from '@actions/tool-cache';
import { ActionError, InputError, errorMessage } from '../errors.js';
import { run } from '../exec.js';
import { shown } from '../show.js';
import type { Log } from '../log.js';
import { actionsCacheKey, restoreFromActionsCache, saveToActionsCache } from './actions-cache.js';
import { toolchainTreeProblem } from './confine.js';
import { download } from './download.js';
import { withInstallLock } from './lock.js';

export type ArchiveKind = 'tar.gz' | 'tar.xz' | 'tar.bz2' | 'zip';

/** A toolchain archive to install: from the manifest or the user's `toolchain-url`. */
export interface ToolchainSource {
  id: string;
  urls: string[];
  sha256: string;
  format: ArchiveKind;
  /** The input that chose this archive (a bad archive is the user's to fix), if any. */
  input?: 'toolchain-url';
}

export interface InstallContext {
  toolCacheDir: string;
  tempDir: string;
  hostOs: string;
  hostArch: string;
  /** Save/restore through @actions/cache as well as the runner's tool cache. */
  actionsCache: boolean;
  log: Log;
  download: { attempts: number; backoffMs: number; idleTimeoutMs: number };
}

export type ToolchainOrigin = 'tool-cache' | 'actions-cache' | 'download';

export interface InstalledToolchain {
  dir: string;
  origin: ToolchainOrigin;
}

/** `x.tar.xz?sig=…` → 'tar.xz'; null when the name does not say. */
export function archiveKindOf(url: string): ArchiveKind | null {
  const p = new URL(url).pathname.toLowerCase();
  if (p.endsWith('.tar.gz') || p.endsWith('.tgz')) return 'tar.gz';
  if (p.endsWith('.tar.xz') || p.endsWith('.txz')) return 'tar.xz';
  if (p.endsWith('.tar.bz2') || p.endsWith('.tbz2')) return 'tar.bz2';
  if (p.endsWith('.zip')) return 'zip';
  return null;
}

/** Tool cache coordinates; the version carries the sha256 so a new archive never reuses an old dir. */
export function toolCachePath(root: string, src: ToolchainSource, arch: string): string {
  return path.join(root, `rpi-cross-${src.id}`, `1.0.0-sha${src.sha256.slice(0, 16)}`, arch);
}

/**
 * Makes the toolchain available under the tool cache: already there, restored from the Actions
 * cache, or downloaded, checked against its sha256 *before* unpacking, and unpacked.
 *
 * Jobs sharing a tool cache (matrix jobs on one self-hosted runner) take turns through a lock
 * next to the toolchain's directory: one installs, the others wait and then use its copy. Under
 * the lock, anything without the `.complete` marker is a leftover of a killed or failed run.
 */
export async function installToolchain(
  src: ToolchainSource,
  ctx: InstallContext,
): Promise<InstalledToolchain> {
  const dir = toolCachePath(ctx.toolCacheDir, src, ctx.hostArch);
  // A copy cached by an older version of the action, or by another job, gets the same check.
  if (isComplete(dir)) return checked(src, { dir, origin: 'tool-cache' });
  const created = makeParents(dir);
  try {
    return await withInstallLock(dir, ctx.log, async () => {
      if (isComplete(dir)) return checked(src, { dir, origin: 'tool-cache' });
      removeLeftovers(dir);
      const key = actionsCacheKey(src, ctx.hostOs, ctx.hostArch);
      if (ctx.actionsCache) {
        if (await restoreFromActionsCache(dir, key, ctx)) {
          const problem = toolchainTreeProblem(dir);
          if (!problem) return { dir, origin: 'actions-cache' };
          removeLeftovers(dir);
          throw treeError(src, problem, 'restored from the Actions cache');
        }
        removeLeftovers(dir);
      }
      await downloadAndUnpack(src, dir, ctx);
      if (ctx.actionsCache) await saveToActionsCache(dir, key, ctx);
      return { dir, origin: 'download' };
    });
  } catch (err) {
    // A failed install leaves the tool cache as it found it (unless another job uses the dirs).
    for (const d of created.reverse()) {
      try {
        fs.rmdirSync(d);
      } catch {
        break;
      }
    }
    throw err;
  }
}

function checked(src: ToolchainSource, got: InstalledToolchain): InstalledToolchain {
  const problem = toolchainTreeProblem(got.dir);
  if (problem) throw treeError(src, problem, `cached at ${got.dir}`);
  return got;
}

/** An archive that is not a self-contained toolchain: refused, whatever its sha256 says. */
export function treeError(src: ToolchainSource, problem: string, where: string): ActionError {
  const message = `the toolchain ${shown(src.urls[0] ?? src.id)} (${where}) is refused: ${problem}. A toolchain archive must unpack to real directories and files; its gcc driver, ar, strip and sysroot must be part of it (symlinks only to its own files), and the driver executable. Nothing was cached.`;
  return src.input ? new InputError(src.input, message) : new ActionError(message, 'toolchain');
}

export function isComplete(dir: string): boolean {
  return fs.existsSync(`${dir}.complete`) && fs.existsSync(dir);
}

export function toolCacheError(where: string, err: unknown): ActionError {
  const full = (err as NodeJS.ErrnoException).code === 'ENOSPC';
  return new ActionError(
    `cannot write to the tool cache (${where}): ${errorMessage(err)}. ${full ? 'Free disk space or point RUNNER_TOOL_CACHE at a bigger disk.' : 'Make RUNNER_TOOL_CACHE a writable directory or free disk space.'}`,
    'toolchain',
  );
}

/** Creates the directories above `dir`; returns the ones it created, outermost first. */
export function makeParents(dir: string): string[] {
  const missing: string[] = [];
  for (let d = path.dirname(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
  } catch (err) {
    throw toolCacheError(path.dirname(dir), err);
  }
  // Never remove RUNNER_TOOL_CACHE itself, only what this toolchain added under it.
  return missing.slice(-2);
}

/** With the lock held: a directory without its marker and staging directories are debris. */
function removeLeftovers(dir: string): void {
  const parent = path.dirname(dir);
  const staging = `.${path.basename(dir)}.tmp-`;
  for (const name of fs.readdirSync(parent)) {
    if (name.startsWith(staging))
      fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  fs.rmSync(`${dir}.complete`, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}

async function downloadAndUnpack(
  src: ToolchainSource,
  dir: string,
  ctx: InstallContext,
): Promise<void> {
  const parent = path.dirname(dir);
  let staging: string;
  try {
    // Made before the download, so an unwritable tool cache costs no download.
    staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  } catch (err) {
    throw toolCacheError(parent, err);
  }
  fs.mkdirSync(ctx.tempDir, { recursive: true });
  const file = path.join(ctx.tempDir, `toolchain-${randomBytes(6).toString('hex')}.${src.format}`);
  try {
    ctx.log.info(`Downloading ${src.urls[0]}`);
    const got = await download(src.urls, file, { ...ctx.download, log: ctx.log });
    if (got.sha256 !== src.sha256) {
      throw new ActionError(
        `sha256 mismatch for ${got.url}: expected ${src.sha256}, got ${got.sha256} (${got.bytes} bytes). The file was deleted and nothing was cached. A proxy or bot-check page, a truncated download, or a changed upstream file gives this; check the URL in a browser and, if the new file is trusted, update the sha256.`,
        'toolchain',
      );
    }
    ctx.log.info(`sha256 ${got.sha256} verified (${(got.bytes / 1048576).toFixed(1)} MiB)`);
    await extract(file, src.format, staging, parent);
    fs.rmSync(file, { force: true });
    // Renamed into place in one step, so no run ever sees a half-extracted toolchain there.
    const entries = fs.readdirSync(staging);
    const only = entries.length === 1 ? path.join(staging, entries[0] as string) : null;
    // lstat: a lone top entry that is a symlink is the toolchain's root, and is refused.
    const root = only && !fs.lstatSync(only).isFile() ? only : staging;
    const problem = toolchainTreeProblem(root);
    if (problem) throw treeError(src, problem, 'downloaded');
    try {
      fs.renameSync(root, dir);
      fs.writeFileSync(`${dir}.complete`, '', { flag: 'wx' });
    } catch (err) {
      throw toolCacheError(dir, err);
    }
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function extract(
  file: string,
  format: ArchiveKind,
  dest: string,
  toolCache: string,
): Promise<void> {
  if (format === 'zip') {
    try {
      await tc.extractZip(file, dest);
    } catch (err) {
      throw unpackError(format, toolCache, errorMessage(err));
    }
    return;
  }
  const flag = { 'tar.gz': '-z', 'tar.xz': '-J', 'tar.bz2': '-j' }[format];
  // Run here rather than through tool-cache, whose error says only "exit code 2".
  const r = await run('tar', ['-x', flag, '-f', file, '-C', dest]).catch((err: unknown) => {
    throw new ActionError(
      `cannot run tar to unpack the toolchain: ${errorMessage(err)}`,
      'toolchain',
    );
  });
  if (r.code !== 0) {
    const lines = [...new Set(r.stderr.split('\n').filter((l) => l.trim() !== ''))];
    // A full disk makes tar complain once per file; its first such line says it all.
    const full = lines.find((l) => /no space left on device/i.test(l));
    const why = full ?? (lines.slice(0, 3).join('; ') || `tar exited with ${r.code}`);
    throw unpackError(format, toolCache, why);
  }
}

function unpackError(format: ArchiveKind, toolCache: string, why: string): ActionError {
  const fix = /no space left/i.test(why)
    ? 'The disk is full: free disk space or point RUNNER_TOOL_CACHE at a bigger disk.'
    : `Check that the URL serves a ${format} archive.`;
  return new ActionError(
    `could not unpack the toolchain into the tool cache (${toolCache}): ${why}. ${fix}`,
    'toolchain',
  );
}
