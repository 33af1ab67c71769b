import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpClient, type HttpClientResponse } from '@actions/http-client';
import { ActionError, errorMessage } from '../errors.js';
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

/** Why an attempt failed, which decides whether to retry and what the final error advises. */
type FailureKind = 'refused' | 'redirect' | 'stalled' | 'flaky';

/** Redirects followed per attempt before the chain counts as a loop. */
export const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

class AttemptError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
  ) {
    super(message);
  }
}

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
  const kinds = new Set<FailureKind>();
  for (const url of urls) {
    for (let attempt = 1; attempt <= opts.attempts; attempt++) {
      try {
        return await attemptDownload(url, dest, opts.idleTimeoutMs, opts.log);
      } catch (err) {
        fs.rmSync(dest, { force: true });
        if (err instanceof ActionError) throw err;
        const why = errorMessage(err);
        const kind = err instanceof AttemptError ? err.kind : 'flaky';
        if (kind === 'refused' || kind === 'redirect' || attempt === opts.attempts) {
          kinds.add(kind);
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
  throw new ActionError(
    `could not download the toolchain:\n  ${failures.join('\n  ')}\n${advice(kinds, opts.idleTimeoutMs)}`,
    'toolchain download',
  );
}

function advice(kinds: Set<FailureKind>, idleTimeoutMs: number): string {
  if (kinds.has('stalled')) {
    return `The server stopped sending data for ${idleTimeoutMs / 1000} s. For a slow server raise 'download-timeout'; otherwise point 'toolchain-url' or 'toolchain-mirror' at a server that answers.`;
  }
  if (kinds.has('flaky')) {
    return "The server or the network kept failing. Re-run the job, or point 'toolchain-url' or 'toolchain-mirror' at a reliable copy.";
  }
  if (kinds.has('redirect')) {
    return "The server's redirects do not lead to the file. Open the URL in a browser to see where it ends up, and point 'toolchain-url' (or 'toolchain-mirror' for the pinned toolchains) at the file itself.";
  }
  return "The server refused the request. Check that the URL opens in a browser; fix 'toolchain-url' (or 'toolchain-mirror' for the pinned toolchains).";
}

/** The one HTTP client setup of the action (toolchains and package archives alike). */
export function newClient(idleTimeoutMs: number): HttpClient {
  return new HttpClient('rust-rpi-cross', [], {
    allowRetries: false,
    // Followed here instead: http-client parses Location without a base, so the relative
    // redirects RFC 9110 allows fail as "Invalid URL", and its loop bound is 50.
    allowRedirects: false,
    socketTimeout: idleTimeoutMs,
  });
}

/** Whether a failed GET is worth another attempt (not a refusal or a broken redirect chain). */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof AttemptError) || err.kind === 'flaky' || err.kind === 'stalled';
}

async function attemptDownload(
  url: string,
  dest: string,
  idleTimeoutMs: number,
  log: Log,
): Promise<Downloaded> {
  const client = newClient(idleTimeoutMs);
  try {
    return await fetchTo(client, url, dest, idleTimeoutMs, log);
  } finally {
    // Also destroys a socket the client's own timeout only half-closed: a peer that never
    // answers the FIN would otherwise keep the connection, and the process, alive.
    client.dispose();
  }
}

async function fetchTo(
  client: HttpClient,
  url: string,
  dest: string,
  idleTimeoutMs: number,
  log: Log,
): Promise<Downloaded> {
  const res = await getFollowingRedirects(client, url, idleTimeoutMs);
  const body = res.message;
  const status = body.statusCode ?? 0;
  if (status !== 200) {
    body.destroy();
    const msg = `HTTP ${status} ${body.statusMessage ?? ''}`.trim();
    const retry = status >= 500 || status === 408 || status === 429;
    throw new AttemptError(msg, retry ? 'flaky' : 'refused');
  }
  const expected = Number(body.headers['content-length'] ?? NaN);
  const of = Number.isFinite(expected) ? ` of ${expected}` : '';
  const total = Number.isFinite(expected) ? expected : null;
  const label = (URL.canParse(url) && path.basename(new URL(url).pathname)) || url;
  const hash = createHash('sha256');
  let bytes = 0;
  // http-client's socketTimeout covers the wait for the headers only; this one covers the body.
  let stalled = false;
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      stalled = true;
      body.destroy(new Error('stalled'));
    }, idleTimeoutMs);
  };
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      arm();
      hash.update(chunk);
      bytes += chunk.length;
      log.progress?.(label, bytes, total);
      cb(null, chunk);
    },
  });
  arm();
  try {
    // wx: never write through a file or symlink someone put at the destination first.
    await pipeline(body, tap, fs.createWriteStream(dest, { flags: 'wx' }));
  } catch (err) {
    if (stalled) {
      throw new AttemptError(
        `no data for ${idleTimeoutMs / 1000} s after ${bytes}${of} bytes (server stalled)`,
        'stalled',
      );
    }
    const e = err as NodeJS.ErrnoException;
    if (e.syscall === 'open' || e.syscall === 'write') {
      // Our side: a full or read-only RUNNER_TEMP is not fixed by downloading again.
      throw new ActionError(
        `cannot write the toolchain download to ${dest}: ${e.message}. Free disk space in RUNNER_TEMP or make it writable.`,
        'toolchain download',
      );
    }
    const detail = e.code === 'ECONNRESET' ? '' : ` (${e.message})`;
    throw new AttemptError(`connection closed after ${bytes}${of} bytes${detail}`, 'flaky');
  } finally {
    clearTimeout(idle);
  }
  if (Number.isFinite(expected) && bytes !== expected) {
    throw new AttemptError(`connection closed after ${bytes}${of} bytes`, 'flaky');
  }
  return { url, sha256: hash.digest('hex'), bytes };
}

/** GET `url`, following up to MAX_REDIRECTS redirects, absolute or relative to the URL asked. */
export async function getFollowingRedirects(
  client: HttpClient,
  url: string,
  idleTimeoutMs: number,
): Promise<HttpClientResponse> {
  const chain = [URL.canParse(url) ? new URL(url).href : url];
  for (;;) {
    const current = chain[chain.length - 1] as string;
    let res: HttpClientResponse;
    try {
      res = await client.get(current);
    } catch (err) {
      throw networkError(err, idleTimeoutMs);
    }
    const status = res.message.statusCode ?? 0;
    if (!REDIRECT_STATUSES.has(status)) return res;
    res.message.destroy();
    const next = redirectTarget(current, status, res.message.headers.location);
    if (chain.includes(next)) {
      throw new AttemptError(`redirect loop: ${showChain([...chain, next])}`, 'redirect');
    }
    chain.push(next);
    if (chain.length > MAX_REDIRECTS + 1) {
      throw new AttemptError(
        `more than ${MAX_REDIRECTS} redirects (a redirect loop?): ${showChain(chain)}`,
        'redirect',
      );
    }
  }
}

function redirectTarget(from: string, status: number, location: string | undefined): string {
  if (!location) {
    throw new AttemptError(`HTTP ${status} redirect without a Location header`, 'redirect');
  }
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new AttemptError(
      `HTTP ${status} redirect to an invalid URL '${shorten(location)}'`,
      'redirect',
    );
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new AttemptError(
      `HTTP ${status} redirect to ${next.protocol} (${shorten(next.href)}); only http and https are followed`,
      'redirect',
    );
  }
  // As http-client did: a redirect must not silently drop TLS.
  if (new URL(from).protocol === 'https:' && next.protocol === 'http:') {
    throw new AttemptError(
      `HTTP ${status} redirect from https to http (${shorten(next.href)}) refused`,
      'redirect',
    );
  }
  return next.href;
}

function showChain(urls: readonly string[]): string {
  const shown = urls.length > 5 ? [...urls.slice(0, 2), '…', ...urls.slice(-2)] : urls;
  return shown.map(shorten).join(' → ');
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function networkError(err: unknown, idleTimeoutMs: number): AttemptError {
  const msg = errorMessage(err);
  if (/timeout/i.test(msg))
    return new AttemptError(`no answer for ${idleTimeoutMs / 1000} s (server stalled)`, 'stalled');
  return new AttemptError(msg, 'flaky');
}
