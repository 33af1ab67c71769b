import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpClient } from '@actions/http-client';
import { errorMessage } from '../errors.js';
import type { Log } from '../log.js';

export interface DownloadOptions {
  /** Attempts per URL for retryable failures (5xx, 408, 429, resets, stalls, short bodies). */
  attempts: number;
  /** First retry delay; doubles per attempt. */
  backoffMs: number;
  /** A connection silent for this long is dropped (a stalled mirror must not hang the job). */
  idleTimeoutMs: number;
  log: Log;
}

export interface Downloaded {
  url: string;
  sha256: string;
  bytes: number;
}

class Retryable extends Error {}

/**
 * Downloads the first of `urls` that answers, to `dest`, hashing while writing so the checksum
 * costs no second read. @actions/tool-cache's downloadTool has no timeout and a fixed 10–20 s
 * backoff, hence this small client (same proxy support through @actions/http-client).
 */
export async function download(
  urls: readonly string[],
  dest: string,
  opts: DownloadOptions,
): Promise<Downloaded> {
  const failures: string[] = [];
  for (const url of urls) {
    for (let attempt = 1; attempt <= opts.attempts; attempt++) {
      try {
        return await attemptDownload(url, dest, opts.idleTimeoutMs);
      } catch (err) {
        fs.rmSync(dest, { force: true });
        const why = errorMessage(err);
        if (!(err instanceof Retryable) || attempt === opts.attempts) {
          failures.push(`${url}: ${why}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`);
          break;
        }
        const delay = opts.backoffMs * 2 ** (attempt - 1);
        opts.log.warning(
          `download of ${url} failed (${why}); retrying in ${Math.round(delay / 100) / 10} s`,
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
  throw new Error(`could not download the toolchain:\n  ${failures.join('\n  ')}`);
}

async function attemptDownload(
  url: string,
  dest: string,
  idleTimeoutMs: number,
): Promise<Downloaded> {
  const client = new HttpClient('rust-rpi-cross', [], {
    allowRetries: false,
    socketTimeout: idleTimeoutMs,
  });
  let res;
  try {
    res = await client.get(url);
  } catch (err) {
    throw new Retryable(describeNetworkError(err, idleTimeoutMs));
  }
  const status = res.message.statusCode ?? 0;
  if (status !== 200) {
    res.message.resume();
    const msg = `HTTP ${status} ${res.message.statusMessage ?? ''}`.trim();
    if (status >= 500 || status === 408 || status === 429) throw new Retryable(msg);
    throw new Error(msg);
  }
  const expected = Number(res.message.headers['content-length'] ?? NaN);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res.message, tap, fs.createWriteStream(dest));
  } catch (err) {
    throw new Retryable(describeNetworkError(err, idleTimeoutMs));
  } finally {
    client.dispose();
  }
  if (Number.isFinite(expected) && bytes !== expected) {
    throw new Retryable(`connection closed after ${bytes} of ${expected} bytes`);
  }
  return { url, sha256: hash.digest('hex'), bytes };
}

function describeNetworkError(err: unknown, idleTimeoutMs: number): string {
  const msg = errorMessage(err);
  if (/timeout/i.test(msg)) return `no data for ${idleTimeoutMs / 1000} s (server stalled)`;
  return msg;
}
