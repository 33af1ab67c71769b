/**
 * The Pi archives' keys are not bundled (their keyring packages live only on those archives):
 * the client fetches the key each archive publishes and keeps it only if its fingerprint is
 * pinned. Real keys over a real loopback server: Debian's keyring stands in for a published key
 * with pinned fingerprints, a throwaway key for one without.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as openpgp from 'openpgp';
import { ARCHIVES, keyUrl, suiteSources } from '../../src/sysroot/archives.js';
import { openSuites } from '../../src/sysroot/client.js';
import { httpFetcher } from '../../src/sysroot/fetch.js';
import {
  fingerprintOf,
  publishedTrust,
  readKeyring,
  type KeyCache,
} from '../../src/sysroot/keys.js';
import type { Log } from '../../src/log.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';

const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

let server: FileServer;
let tmp: string;
let strangerKey: string;

const fetch = httpFetcher({ attempts: 1 });

function memoryCache(): KeyCache & { files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  return { files, get: (n) => files.get(n) ?? null, put: (n, b) => void files.set(n, b) };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'published-key-'));
  fs.copyFileSync(DEBIAN_KEYRING, path.join(tmp, 'debian.gpg'));
  const k = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: 'not the Raspbian archive' }],
    format: 'object',
  });
  strangerKey = fingerprintOf(k.publicKey);
  fs.mkdirSync(path.join(tmp, 'mirror', 'raspbian'), { recursive: true });
  fs.writeFileSync(
    path.join(tmp, 'mirror', 'raspbian', 'raspbian.public.key'),
    k.publicKey.armor(),
  );
  server = await startFileServer(tmp);
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the key an archive publishes', () => {
  it('is fetched, kept only for its pinned fingerprints, and cached', async () => {
    const cache = memoryCache();
    const t = await publishedTrust('debian', `${server.url}/debian.gpg`, fetch, cache);
    // This machine's keyring may be an older release than the bundled one: its pinned keys.
    const pinned = new Set(ARCHIVES.keysets['debian']!.fingerprints);
    const inFile = (await readKeyring(fs.readFileSync(DEBIAN_KEYRING))).map(fingerprintOf);
    expect(t.keys.length).toBeGreaterThan(0);
    expect(t.keys.map(fingerprintOf).sort()).toEqual(inFile.filter((f) => pinned.has(f)).sort());
    expect(t.description).toMatch(/debian-archive-keyring key published at http:\/\/127\.0\.0\.1/);
    expect(cache.files.has('debian')).toBe(true);
    // The second time the cache serves: the network is not asked.
    const offline = async (): Promise<Buffer | null> => {
      throw new Error('offline');
    };
    const again = await publishedTrust('debian', `${server.url}/debian.gpg`, offline, cache);
    expect(again.keys).toHaveLength(t.keys.length);
  });

  it('a cache entry that holds no pinned key is fetched again', async () => {
    const cache = memoryCache();
    cache.put('debian', Buffer.from('garbage'));
    const before = server.hits.get('/debian.gpg') ?? 0;
    const t = await publishedTrust('debian', `${server.url}/debian.gpg`, fetch, cache);
    expect(t.keys.length).toBeGreaterThan(0);
    expect(server.hits.get('/debian.gpg')).toBe(before + 1);
    expect(cache.files.get('debian')?.length).toBe(fs.statSync(DEBIAN_KEYRING).size);
  });

  it('a key with another fingerprint is refused and not cached', async () => {
    const cache = memoryCache();
    const url = `${server.url}/mirror/raspbian/raspbian.public.key`;
    await expect(publishedTrust('raspbian', url, fetch, cache)).rejects.toThrow(
      new RegExp(
        `the key at .*raspbian\\.public\\.key has fingerprint ${strangerKey}, not the pinned A0DA38D0D76E8B5D638872819165938D90FDDD2E of raspbian-archive-keyring: it is refused; set 'sysroot-keyring'`,
      ),
    );
    expect(cache.files.size).toBe(0);
  });

  it('a key that is not there names the URL and the input that supplies it', async () => {
    await expect(
      publishedTrust('raspberrypi', `${server.url}/nowhere.gpg.key`, fetch),
    ).rejects.toThrow(
      /no signing key is bundled for keyset raspberrypi \(CF8A1AF5.*\) and http:\/\/127\.0\.0\.1:\d+\/nowhere\.gpg\.key is not there \(404\); set 'sysroot-keyring' to that package's keyring file \(\/usr\/share\/keyrings\/raspberrypi-archive-keyring\.gpg on a Pi\)/,
    );
  });

  it('lives beside its archive under sysroot-mirror, at the archive otherwise', () => {
    const [raspbian] = suiteSources('armv7-unknown-linux-gnueabihf', 'bookworm', 'http://m/x/');
    expect(keyUrl(raspbian!, 'http://m/x/')).toBe('http://m/x/raspbian/raspbian.public.key');
    const own = suiteSources('arm-unknown-linux-gnueabihf', 'bullseye', null);
    expect(own.map((s) => keyUrl(s, null))).toEqual([
      'http://archive.raspbian.org/raspbian.public.key',
      'http://archive.raspberrypi.com/debian/raspberrypi.gpg.key',
    ]);
    // Debian's keys are bundled: nothing to fetch.
    const [debian] = suiteSources('aarch64-unknown-linux-gnu', 'bookworm', null);
    expect(keyUrl(debian!, null)).toBeNull();
  });
});

describe('opening the Raspbian suites through sysroot-mirror', () => {
  function log(): Log & { lines: string[] } {
    const lines: string[] = [];
    return {
      lines,
      info: (m) => lines.push(`info ${m}`),
      warning: (m) => lines.push(`warning ${m}`),
      debug: () => {},
      group: (_n, fn) => fn(),
      untrusted: (fn) => fn(),
    };
  }

  it('asks the mirror for the published key and refuses one that is not pinned', async () => {
    // An InRelease that is never verified: the key is refused before the signature is looked at.
    const dists = path.join(tmp, 'mirror', 'raspbian', 'dists', 'bookworm');
    fs.mkdirSync(dists, { recursive: true });
    fs.writeFileSync(path.join(dists, 'InRelease'), 'not looked at\n');
    const l = log();
    await expect(
      openSuites(
        {
          triple: 'arm-unknown-linux-gnueabihf',
          piOs: 'bookworm',
          packages: ['libc6'],
          mirror: `${server.url}/mirror`,
          trust: null,
        },
        { fetch, log: l },
      ),
    ).rejects.toThrow(/the key at .*\/mirror\/raspbian\/raspbian\.public\.key has fingerprint/);
    expect(server.hits.get('/mirror/raspbian/raspbian.public.key')).toBeGreaterThan(0);
  });
});
