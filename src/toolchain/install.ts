import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cache from '@actions/cache';
import * as tc from '@actions/tool-cache';
import { ActionError, errorMessage } from '../errors.js';
import { run } from '../exec.js';
import type { Log } from '../log.js';
import { download } from './download.js';

export type ArchiveKind = 'tar.gz' | 'tar.xz' | 'tar.bz2' | 'zip';

/** A toolchain archive to install: from the manifest or the user's `toolchain-url`. */
export interface ToolchainSource {
  id: string;
  urls: string[];
  sha256: string;
  format: ArchiveKind;
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

export function actionsCacheKey(src: ToolchainSource, os: string, arch: string): string {
  return `rust-rpi-cross-${src.id}-${src.sha256}-${os}-${arch}`;
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
  if (isComplete(dir)) return { dir, origin: 'tool-cache' };
  const created = makeParents(dir);
  try {
    return await withInstallLock(dir, ctx.log, async () => {
      if (isComplete(dir)) return { dir, origin: 'tool-cache' };
      removeLeftovers(dir);
      const key = actionsCacheKey(src, ctx.hostOs, ctx.hostArch);
      if (ctx.actionsCache) {
        if (await restoreFromActionsCache(dir, key, ctx)) return { dir, origin: 'actions-cache' };
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

function isComplete(dir: string): boolean {
  return fs.existsSync(`${dir}.complete`) && fs.existsSync(dir);
}

function toolCacheError(where: string, err: unknown): ActionError {
  const full = (err as NodeJS.ErrnoException).code === 'ENOSPC';
  return new ActionError(
    `cannot write to the tool cache (${where}): ${errorMessage(err)}. ${full ? 'Free disk space or point RUNNER_TOOL_CACHE at a bigger disk.' : 'Make RUNNER_TOOL_CACHE a writable directory or free disk space.'}`,
    'toolchain',
  );
}

/** Creates the directories above `dir`; returns the ones it created, outermost first. */
function makeParents(dir: string): string[] {
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

/** A lock younger than this (its holder touches it every LOCK_BEAT_MS) belongs to a live job. */
const LOCK_STALE_MS = 60000;
const LOCK_BEAT_MS = 5000;
const LOCK_POLL_MS = 500;

async function withInstallLock(
  dir: string,
  log: Log,
  install: () => Promise<InstalledToolchain>,
): Promise<InstalledToolchain> {
  const lock = `${dir}.lock`;
  let waiting = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // A failed job just pruned the (empty) parents it had made.
        makeParents(dir);
        continue;
      }
      if (code !== 'EEXIST') throw toolCacheError(lock, err);
    }
    // Another job is installing: its result is ours as soon as the marker appears.
    if (isComplete(dir)) return { dir, origin: 'tool-cache' };
    if (stealIfStale(lock)) continue;
    if (!waiting) log.info(`Another job is installing this toolchain (${lock}); waiting for it`);
    waiting = true;
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
  const beat = setInterval(() => {
    const now = new Date();
    fs.utimes(lock, now, now, () => undefined);
  }, LOCK_BEAT_MS);
  beat.unref();
  try {
    return await install();
  } finally {
    clearInterval(beat);
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** A lock its holder stopped touching (the job was killed) is moved away; true if it was. */
function stealIfStale(lock: string): boolean {
  let age: number;
  try {
    age = Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return true; // released meanwhile: try again at once
  }
  if (age < LOCK_STALE_MS) return false;
  const aside = `${lock}.stale-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lock, aside);
    fs.rmSync(aside, { recursive: true, force: true });
  } catch {
    // Another waiter stole it first.
  }
  return true;
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
    const root = only && fs.statSync(only).isDirectory() ? only : staging;
    try {
      fs.renameSync(root, dir);
      fs.writeFileSync(`${dir}.complete`, '');
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

/**
 * @actions/cache passes the workspace (`tar -C`) and its temp archive path to tar through a
 * command line split at spaces, so a runner path with a space breaks every save and restore.
 * Both are pointed at space-free places while it runs: `/` as the root the cached path is
 * archived relative to (the same for save and restore), and a temp dir without spaces.
 */
async function withCacheEnv<T>(fn: () => Promise<T>): Promise<T> {
  const unsafe = (p: string | undefined) => p === undefined || /[\s"']/.test(p);
  const saved = {
    GITHUB_WORKSPACE: process.env.GITHUB_WORKSPACE,
    RUNNER_TEMP: process.env.RUNNER_TEMP,
  };
  process.env.GITHUB_WORKSPACE = path.parse(process.cwd()).root;
  let temp: string | null = null;
  if (unsafe(saved.RUNNER_TEMP)) {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-cross-cache-'));
    process.env.RUNNER_TEMP = temp;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }
}

async function restoreFromActionsCache(
  dir: string,
  key: string,
  ctx: InstallContext,
): Promise<boolean> {
  if (!cache.isFeatureAvailable()) return false;
  try {
    // @actions/cache reports its own failures as warnings and returns no key.
    const hit = await withCacheEnv(() => cache.restoreCache([dir], key));
    if (hit && fs.existsSync(dir)) {
      fs.writeFileSync(`${dir}.complete`, '');
      ctx.log.info(`Toolchain restored from the Actions cache (${key})`);
      return true;
    }
  } catch (err) {
    // The cache only saves time; a download still gets the same verified toolchain.
    ctx.log.warning(`Actions cache restore failed, downloading instead: ${errorMessage(err)}`);
  }
  return false;
}

async function saveToActionsCache(dir: string, key: string, ctx: InstallContext): Promise<void> {
  if (!cache.isFeatureAvailable()) return;
  try {
    await withCacheEnv(() => cache.saveCache([dir], key));
  } catch (err) {
    ctx.log.warning(
      `Could not save the toolchain to the Actions cache (the build goes on): ${errorMessage(err)}`,
    );
  }
}
