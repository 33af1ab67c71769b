import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../errors.js';
import { makeSpaceFreePrivateDir } from '../tempdir.js';
import type { InstallContext, ToolchainSource } from './install.js';

/**
 * @actions/cache takes ~0.4 s to load: it is imported only when the runner offers a cache
 * service, so warm runs without one start faster.
 */
async function cacheService(): Promise<typeof import('@actions/cache') | null> {
  if (!process.env.ACTIONS_RESULTS_URL && !process.env.ACTIONS_CACHE_URL) return null;
  const cache = await import('@actions/cache');
  return cache.isFeatureAvailable() ? cache : null;
}

export function actionsCacheKey(src: ToolchainSource, os: string, arch: string): string {
  return `rust-rpi-cross-${src.id}-${src.sha256}-${os}-${arch}`;
}

/**
 * @actions/cache passes the workspace (`tar -C`) and its temp archive path to tar through a
 * command line split at spaces, so a runner path with a space breaks every save and restore.
 * Both are pointed at space-free places while it runs: `/` as the root the cached path is
 * archived relative to (the same for save and restore), and a fresh private temp dir without
 * spaces (its own would be a random name under RUNNER_TEMP, readable by all: a RUNNER_TEMP of
 * /tmp would show others the archive while it is made).
 */
async function withCacheEnv<T>(fn: () => Promise<T>): Promise<T> {
  const saved = {
    GITHUB_WORKSPACE: process.env.GITHUB_WORKSPACE,
    RUNNER_TEMP: process.env.RUNNER_TEMP,
  };
  const temp = makeSpaceFreePrivateDir(saved.RUNNER_TEMP, 'rpi-cross-cache-');
  process.env.GITHUB_WORKSPACE = path.parse(process.cwd()).root;
  process.env.RUNNER_TEMP = temp;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

export async function restoreFromActionsCache(
  dir: string,
  key: string,
  ctx: InstallContext,
): Promise<boolean> {
  const cache = await cacheService();
  if (!cache) return false;
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

export async function saveToActionsCache(
  dir: string,
  key: string,
  ctx: InstallContext,
): Promise<void> {
  await saveCachedDir(dir, key, ctx.log, 'the toolchain');
}

/**
 * Restores a directory that only saves time (zig's global cache), best effort: a miss or a
 * failure leaves it as it was. Returns whether the cache had it.
 */
export async function restoreCachedDir(
  dir: string,
  key: string,
  log: InstallContext['log'],
): Promise<boolean> {
  const cache = await cacheService();
  if (!cache) return false;
  try {
    const hit = await withCacheEnv(() => cache.restoreCache([dir], key));
    if (hit) log.info(`${dir} restored from the Actions cache (${key})`);
    return hit !== undefined;
  } catch (err) {
    log.warning(`Actions cache restore of ${dir} failed (the build goes on): ${errorMessage(err)}`);
    return false;
  }
}

/** Saves a directory to the Actions cache, best effort: a failure is a warning. */
export async function saveCachedDir(
  dir: string,
  key: string,
  log: InstallContext['log'],
  what: string = dir,
): Promise<void> {
  const cache = await cacheService();
  if (!cache) return;
  try {
    await withCacheEnv(() => cache.saveCache([dir], key));
  } catch (err) {
    log.warning(
      `Could not save ${what} to the Actions cache (the build goes on): ${errorMessage(err)}`,
    );
  }
}
