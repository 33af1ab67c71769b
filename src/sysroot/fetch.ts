/**
 * The I/O port of the archive client: a GET that returns the body, or null for "not there"
 * (404/410), and throws for anything else after a few retries. Tests and the action pass their own.
 * The requests and redirects are toolchain/download.ts's, so both follow the same rules
 * (relative redirects, no https → http, a loop bound).
 */
import type { IncomingMessage } from 'node:http';
import { errorMessage } from '../errors.js';
import { getFollowingRedirects, isRetryable, newClient } from '../toolchain/download.js';

export type Fetcher = (url: string) => Promise<Buffer | null>;

export interface HttpFetcherOptions {
  attempts?: number;
  backoffMs?: number;
  socketTimeoutMs?: number;
}

class Refused extends Error {}

export function httpFetcher(opts: HttpFetcherOptions = {}): Fetcher {
  const attempts = opts.attempts ?? 3;
  const backoffMs = opts.backoffMs ?? 1000;
  const idleMs = opts.socketTimeoutMs ?? 30000;
  return async (url) => {
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const client = newClient(idleMs);
      try {
        const res = await getFollowingRedirects(client, url, idleMs);
        const status = res.message.statusCode ?? 0;
        if (status === 200) return await readAll(res.message, idleMs);
        res.message.destroy();
        if (status === 404 || status === 410) return null;
        last = `HTTP ${status}`;
        if (status < 500 && status !== 408 && status !== 429) throw new Refused(last);
      } catch (err) {
        last = errorMessage(err);
        if (err instanceof Refused || !isRetryable(err)) break;
      } finally {
        client.dispose();
      }
      if (attempt < attempts)
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
    }
    throw new Error(`${url}: ${last}`);
  };
}

/** http-client's socketTimeout covers the wait for the headers only; this covers the body. */
function readAll(body: IncomingMessage, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let timer = setTimeout(stall, idleMs);
    function stall(): void {
      body.destroy(new Error(`no data for ${idleMs / 1000} s`));
    }
    body.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(timer);
      timer = setTimeout(stall, idleMs);
    });
    body.on('end', () => {
      clearTimeout(timer);
      if (!body.complete) reject(new Error('the connection closed mid-body'));
      else resolve(Buffer.concat(chunks));
    });
    body.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
