/**
 * The sysroot's small files kept in the tool cache between runs: Packages and Contents indexes
 * by the SHA256 their signed InRelease lists, and the Pi archives' published keys by keyset.
 * What is read back is checked again (indexes re-hashed, keys re-filtered by their pins), so a
 * damaged or replaced file is only a miss.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Log } from '../log.js';
import type { IndexCache } from './client.js';
import type { KeyCache } from './keys.js';
import { sha256Hex } from './packages.js';

/** `<tool cache>/rpi-cross-sysroot`: the stage's overlays, and these caches. */
export const sysrootCacheRoot = (toolCacheDir: string): string =>
  path.join(toolCacheDir, 'rpi-cross-sysroot');

function fileCache(
  dir: string,
  log: Log,
  valid: (name: string, body: Buffer) => boolean,
): IndexCache & KeyCache {
  return {
    get(name) {
      try {
        const body = fs.readFileSync(path.join(dir, name));
        return valid(name, body) ? body : null;
      } catch {
        return null;
      }
    },
    put(name, body) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        const tmp = path.join(dir, `${name}.partial-${process.pid}`);
        fs.writeFileSync(tmp, body);
        fs.renameSync(tmp, path.join(dir, name));
      } catch (err) {
        log.debug(`${path.basename(dir)} cache: cannot keep ${name}: ${errorMessage(err)}`);
      }
    },
  };
}

export function indexCache(root: string, log: Log): IndexCache {
  return fileCache(path.join(root, 'indexes'), log, (name, body) => sha256Hex(body) === name);
}

/** Re-filtered by the pinned fingerprints when read (publishedTrust): no check here. */
export function keyCache(root: string, log: Log): KeyCache {
  return fileCache(path.join(root, 'keys'), log, () => true);
}
