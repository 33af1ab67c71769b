import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { Log } from '../log.js';
import { isComplete, makeParents, toolCacheError, type InstalledToolchain } from './install.js';

/** A lock younger than this (its holder touches it every LOCK_BEAT_MS) belongs to a live job. */
const LOCK_STALE_MS = 60000;
const LOCK_BEAT_MS = 5000;
const LOCK_POLL_MS = 500;

export async function withInstallLock(
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
