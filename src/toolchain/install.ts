import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cache from '@actions/cache';
import * as tc from '@actions/tool-cache';
import { ActionError, errorMessage } from '../errors.js';
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
 */
export async function installToolchain(
  src: ToolchainSource,
  ctx: InstallContext,
): Promise<InstalledToolchain> {
  const dir = toolCachePath(ctx.toolCacheDir, src, ctx.hostArch);
  if (isComplete(dir)) return { dir, origin: 'tool-cache' };
  const key = actionsCacheKey(src, ctx.hostOs, ctx.hostArch);
  if (ctx.actionsCache && (await restoreFromActionsCache(dir, key, ctx.log))) {
    return { dir, origin: 'actions-cache' };
  }
  await downloadAndUnpack(src, dir, ctx);
  if (ctx.actionsCache) await saveToActionsCache(dir, key, ctx.log);
  return { dir, origin: 'download' };
}

function isComplete(dir: string): boolean {
  return fs.existsSync(`${dir}.complete`) && fs.existsSync(dir);
}

async function downloadAndUnpack(
  src: ToolchainSource,
  dir: string,
  ctx: InstallContext,
): Promise<void> {
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
    await unpackInto(file, src.format, dir);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Unpacks next to the final directory, then renames it into place, so a crashed or concurrent
 * run never leaves a half-extracted toolchain where another run would use it.
 */
async function unpackInto(file: string, format: ArchiveKind, dir: string): Promise<void> {
  const parent = path.dirname(dir);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (err) {
    throw new ActionError(
      `cannot write to the tool cache (${parent}): ${errorMessage(err)}. Make RUNNER_TOOL_CACHE writable or free disk space.`,
      'toolchain',
    );
  }
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  try {
    await extract(file, format, staging);
    const entries = fs.readdirSync(staging);
    const only = entries.length === 1 ? path.join(staging, entries[0] as string) : null;
    const root = only && fs.statSync(only).isDirectory() ? only : staging;
    placeOrAdopt(root, dir);
    fs.writeFileSync(`${dir}.complete`, '');
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function placeOrAdopt(root: string, dir: string): void {
  try {
    fs.renameSync(root, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Another job sharing this tool cache finished first: its copy is identical (same sha256).
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(dir)) return;
    throw new ActionError(
      `cannot place the toolchain in the tool cache (${dir}): ${errorMessage(err)}`,
      'toolchain',
    );
  }
}

async function extract(file: string, format: ArchiveKind, dest: string): Promise<void> {
  const flags: Record<Exclude<ArchiveKind, 'zip'>, string> = {
    'tar.gz': 'xz',
    'tar.xz': 'xJ',
    'tar.bz2': 'xj',
  };
  try {
    if (format === 'zip') await tc.extractZip(file, dest);
    else await tc.extractTar(file, dest, flags[format]);
  } catch (err) {
    throw new ActionError(
      `could not unpack the toolchain archive as ${format}: ${errorMessage(err)}`,
      'toolchain',
    );
  }
}

async function restoreFromActionsCache(dir: string, key: string, log: Log): Promise<boolean> {
  if (!cache.isFeatureAvailable()) return false;
  try {
    const hit = await cache.restoreCache([dir], key);
    if (hit && fs.existsSync(dir)) {
      fs.writeFileSync(`${dir}.complete`, '');
      log.info(`Toolchain restored from the Actions cache (${key})`);
      return true;
    }
  } catch (err) {
    // The cache only saves time; a download still gets the same verified toolchain.
    log.warning(`Actions cache restore failed, downloading instead: ${errorMessage(err)}`);
  }
  return false;
}

async function saveToActionsCache(dir: string, key: string, log: Log): Promise<void> {
  if (!cache.isFeatureAvailable()) return;
  try {
    await cache.saveCache([dir], key);
  } catch (err) {
    log.warning(
      `Could not save the toolchain to the Actions cache (the build goes on): ${errorMessage(err)}`,
    );
  }
}
