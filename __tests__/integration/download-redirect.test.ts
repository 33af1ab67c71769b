import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Log } from '../../src/log.js';
import { ActionError } from '../../src/errors.js';
import { download } from '../../src/toolchain/download.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';

// download() against loopback servers that redirect: relative Locations (RFC 9110 allows them),
// absolute ones to another server, chains, loops and broken redirects.

const warnings: string[] = [];
// `untrusted` (for blocks of foreign output) is added apart so this compiles with or without it.
const log: Log = Object.assign(
  {
    info: () => undefined,
    warning: (m: string) => void warnings.push(m),
    debug: () => undefined,
    group: <T>(_n: string, fn: () => Promise<T>) => fn(),
  },
  { untrusted: <T>(fn: () => Promise<T>) => fn() },
);
/** The bound the action documents (src/toolchain/download.ts MAX_REDIRECTS). */
const MAX_REDIRECTS = 10;
const opts = { attempts: 3, backoffMs: 10, idleTimeoutMs: 5000, log };

let root: string;
let server: FileServer;
let other: FileServer;
let sha256: string;
const body = randomBytes(64 * 1024);

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'redirect-'));
  fs.mkdirSync(path.join(root, 'files', 'v1'), { recursive: true });
  fs.writeFileSync(path.join(root, 'files', 'v1', 'tc.tar.gz'), body);
  sha256 = createHash('sha256').update(body).digest('hex');
  server = await startFileServer(root);
  other = await startFileServer(root);
});
afterAll(async () => {
  await server.close();
  await other.close();
  fs.rmSync(root, { recursive: true, force: true });
});

let n = 0;
function dest(): string {
  return path.join(root, `dl-${++n}`);
}

async function failure(url: string): Promise<string> {
  const err = await download([url], dest(), opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return (err as Error).message;
}

describe('download follows redirects', () => {
  test('a relative Location (/path) is resolved against the URL asked', async () => {
    server.fault('/latest.tar.gz', { kind: 'redirect', location: '/files/v1/tc.tar.gz' });
    const d = dest();
    const got = await download([`${server.url}/latest.tar.gz`], d, opts);
    expect(got.sha256).toBe(sha256);
    expect(fs.readFileSync(d)).toEqual(body);
    expect(server.hits.get('/latest.tar.gz')).toBe(1);
  });

  test('a path-relative Location (../v1/x) too', async () => {
    server.fault('/files/v2/tc.tar.gz', { kind: 'redirect', location: '../v1/tc.tar.gz' });
    const got = await download([`${server.url}/files/v2/tc.tar.gz`], dest(), opts);
    expect(got.sha256).toBe(sha256);
  });

  test.each([301, 303, 307, 308])(
    'HTTP %i with an absolute Location to another server',
    async (status) => {
      server.fault(`/moved-${status}`, {
        kind: 'redirect',
        status,
        location: `${other.url}/files/v1/tc.tar.gz`,
      });
      const before = other.hits.get('/files/v1/tc.tar.gz') ?? 0;
      const got = await download([`${server.url}/moved-${status}`], dest(), opts);
      expect(got.sha256).toBe(sha256);
      expect(other.hits.get('/files/v1/tc.tar.gz')).toBe(before + 1);
    },
  );

  test(`a chain of ${MAX_REDIRECTS} redirects is followed`, async () => {
    for (let i = 1; i < MAX_REDIRECTS; i++) {
      server.fault(`/chain/${i}`, { kind: 'redirect', location: `/chain/${i + 1}` });
    }
    server.fault(`/chain/${MAX_REDIRECTS}`, { kind: 'redirect', location: '/files/v1/tc.tar.gz' });
    const got = await download([`${server.url}/chain/1`], dest(), opts);
    expect(got.sha256).toBe(sha256);
  });
});

describe('redirects that lead nowhere: one clear error, no retries', () => {
  test('a loop says "redirect loop" and names the URLs', async () => {
    server.fault('/loop-a', { kind: 'redirect', location: '/loop-b' });
    server.fault('/loop-b', { kind: 'redirect', location: `${server.url}/loop-a` });
    const msg = await failure(`${server.url}/loop-a`);
    expect(msg).toContain(
      `redirect loop: ${server.url}/loop-a → ${server.url}/loop-b → ${server.url}/loop-a`,
    );
    expect(msg).toMatch(/redirects do not lead to the file/);
    expect(msg).not.toMatch(/HTTP 302|refused|kept failing|Invalid URL/);
    // Not retried: a loop does not heal in 2 s.
    expect(server.hits.get('/loop-a')).toBe(1);
  });

  test('a loop of absolute redirects too (http-client went round 50 times, then "HTTP 302 … refused")', async () => {
    server.fault('/abs-a', { kind: 'redirect', location: `${other.url}/abs-b` });
    other.fault('/abs-b', { kind: 'redirect', location: `${server.url}/abs-a` });
    const msg = await failure(`${server.url}/abs-a`);
    expect(msg).toContain(
      `redirect loop: ${server.url}/abs-a → ${other.url}/abs-b → ${server.url}/abs-a`,
    );
    expect(msg).not.toMatch(/HTTP 302|refused/);
    expect(server.hits.get('/abs-a')).toBe(1);
  });

  test(`more than ${MAX_REDIRECTS} redirects (each to a new URL) stop there`, async () => {
    for (let i = 0; i < 30; i++) {
      server.fault(`/endless/${i}`, { kind: 'redirect', location: `/endless/${i + 1}` });
    }
    const msg = await failure(`${server.url}/endless/0`);
    expect(msg).toContain(`more than ${MAX_REDIRECTS} redirects (a redirect loop?)`);
    expect(server.hits.get(`/endless/${MAX_REDIRECTS}`)).toBe(1);
    expect(server.hits.get(`/endless/${MAX_REDIRECTS + 1}`)).toBeUndefined();
  });

  test('a redirect without Location', async () => {
    server.fault('/no-location', { kind: 'redirect' });
    const msg = await failure(`${server.url}/no-location`);
    expect(msg).toContain('HTTP 302 redirect without a Location header');
    expect(server.hits.get('/no-location')).toBe(1);
  });

  test('a redirect to another scheme is not followed', async () => {
    server.fault('/to-ftp', { kind: 'redirect', location: 'ftp://127.0.0.1/tc.tar.gz' });
    const msg = await failure(`${server.url}/to-ftp`);
    expect(msg).toContain('HTTP 302 redirect to ftp: (ftp://127.0.0.1/tc.tar.gz)');
  });

  test('a Location that is not a URL even relative to the request', async () => {
    server.fault('/bad-location', { kind: 'redirect', location: 'http://[::1' });
    const msg = await failure(`${server.url}/bad-location`);
    expect(msg).toContain("HTTP 302 redirect to an invalid URL 'http://[::1'");
    expect(warnings.join('\n')).not.toContain('/bad-location');
  });
});

describe('the destination', () => {
  test('a symlink planted where the download goes is not written through', async () => {
    const victim = path.join(root, 'victim');
    fs.writeFileSync(victim, 'precious');
    const planted = dest();
    fs.symlinkSync(victim, planted);
    const err = await download([`${server.url}/files/v1/tc.tar.gz`], planted, opts).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ActionError);
    expect((err as Error).message).toMatch(/cannot write the toolchain download/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
  });
});

// The package-archive client shares this request layer: the same redirects must reach its files.
describe('the sysroot fetcher follows the same redirects', () => {
  test('a relative Location reaches the file; a loop is refused without retries', async () => {
    const { httpFetcher } = await import('../../src/sysroot/fetch.js');
    const fetch = httpFetcher({ attempts: 3, backoffMs: 10, socketTimeoutMs: 5000 });
    server.fault('/dists/InRelease', { kind: 'redirect', location: '../files/v1/tc.tar.gz' });
    const got = await fetch(`${server.url}/dists/InRelease`);
    expect(got?.equals(body)).toBe(true);
    server.fault('/loop-a', { kind: 'redirect', location: '/loop-b' });
    server.fault('/loop-b', { kind: 'redirect', location: '/loop-a' });
    await expect(fetch(`${server.url}/loop-a`)).rejects.toThrow(/redirect loop/);
    expect(server.hits.get('/loop-a')).toBe(1);
  });
});
