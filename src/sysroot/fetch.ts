/**
 * The I/O port of the archive client: a GET that returns the body, or null for "not there"
 * (404/410), and throws for anything else after a few retries. Tests and the action pass their own.
 */
import { HttpClient } from '@actions/http-client';
import { errorMessage } from '../errors.js';

export type Fetcher = (url: string) => Promise<Buffer | null>;

export interface HttpFetcherOptions {
  attempts?: number;
  backoffMs?: number;
  socketTimeoutMs?: number;
}

export function httpFetcher(opts: HttpFetcherOptions = {}): Fetcher {
  const attempts = opts.attempts ?? 3;
  const backoffMs = opts.backoffMs ?? 1000;
  return async (url) => {
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const client = new HttpClient('rust-rpi-cross', [], {
        allowRetries: false,
        socketTimeout: opts.socketTimeoutMs ?? 30000,
      });
      try {
        const res = await client.get(url);
        const status = res.message.statusCode ?? 0;
        if (status === 200) return await readAll(res.message);
        res.message.destroy();
        if (status === 404 || status === 410) return null;
        last = `HTTP ${status}`;
        if (status < 500 && status !== 408 && status !== 429) break;
      } catch (err) {
        last = errorMessage(err);
      } finally {
        client.dispose();
      }
      if (attempt < attempts)
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
    }
    throw new Error(`${url}: ${last}`);
  };
}

async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}
