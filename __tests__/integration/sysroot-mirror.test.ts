/**
 * The archive client against a loopback mirror the test builds itself: .debs made by dpkg-deb,
 * indexed by dpkg-scanpackages, a Release signed into InRelease with a throwaway OpenPGP key,
 * served over real HTTP. Every tampering must be refused with nothing left at the destination.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import zlib from 'node:zlib';
import * as openpgp from 'openpgp';
import { fetchSysrootPackages, type SysrootRequest } from '../../src/sysroot/client.js';
import { httpFetcher } from '../../src/sysroot/fetch.js';
import { userTrust, type Trust } from '../../src/sysroot/keys.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import type { Log } from '../../src/log.js';

const TRIPLET = 'aarch64-linux-gnu';
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let tmp: string;
let mirror: string;
let server: FileServer;
let key: { priv: openpgp.PrivateKey; pub: openpgp.PublicKey };
let trust: Trust;

/** A binary package built by dpkg-deb from `files` (path → content; '->x' makes a symlink). */
function buildDeb(
  name: string,
  version: string,
  control: Record<string, string>,
  files: Record<string, string>,
  compression: string,
): string {
  const dir = path.join(tmp, 'build', name);
  fs.mkdirSync(path.join(dir, 'DEBIAN'), { recursive: true });
  for (const [p, content] of Object.entries(files)) {
    const abs = path.join(dir, p);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (content.startsWith('->')) fs.symlinkSync(content.slice(2), abs);
    else fs.writeFileSync(abs, content);
  }
  const fields = {
    Package: name,
    Version: version,
    Architecture: 'arm64',
    Maintainer: 'Test <test@example.invalid>',
    Description: `test ${name}`,
    ...control,
  };
  fs.writeFileSync(
    path.join(dir, 'DEBIAN/control'),
    Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join(''),
  );
  const pool = path.join(mirror, 'debian/pool/main', name[0] as string, name);
  fs.mkdirSync(pool, { recursive: true });
  const out = path.join(pool, `${name}_${version}_arm64.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', dir, out], {
    stdio: 'ignore',
  });
  return out;
}

/** Writes Packages(.gz/.xz) and a signed InRelease for one suite of `archive`. */
async function writeSuite(
  archive: string,
  suite: string,
  opts: {
    packages?: boolean;
    validUntil?: Date;
    signer?: openpgp.PrivateKey;
    /** List this in place of the uncompressed Packages: a decompressor that corrupts must show. */
    plainAs?: Buffer;
  } = {},
): Promise<void> {
  const base = path.join(mirror, archive);
  const dir = path.join(base, 'dists', suite);
  const bin = path.join(dir, 'main/binary-arm64');
  fs.mkdirSync(bin, { recursive: true });
  const plain = opts.packages
    ? execFileSync('dpkg-scanpackages', ['--multiversion', 'pool'], {
        cwd: base,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
    : Buffer.alloc(0);
  const files: [string, Buffer][] = [
    ['main/binary-arm64/Packages', plain],
    ['main/binary-arm64/Packages.gz', zlib.gzipSync(plain)],
    ['main/binary-arm64/Packages.xz', execFileSync('xz', ['-c'], { input: plain })],
  ];
  for (const [name, data] of files) fs.writeFileSync(path.join(dir, name), data);
  const release = [
    'Origin: Loopback',
    `Suite: ${suite}`,
    `Codename: ${suite}`,
    `Date: ${new Date().toUTCString()}`,
    ...(opts.validUntil ? [`Valid-Until: ${opts.validUntil.toUTCString()}`] : []),
    'Architectures: arm64',
    'Components: main',
    'SHA256:',
    ...files
      .map(([n, d]): [string, Buffer] => [
        n,
        n.endsWith('Packages') && opts.plainAs ? opts.plainAs : d,
      ])
      .map(([n, d]) => ` ${sha256(d)} ${String(d.length).padStart(8)} ${n}`),
    '',
  ].join('\n');
  const signed = await openpgp.sign({
    message: await openpgp.createCleartextMessage({ text: release }),
    signingKeys: opts.signer ?? key.priv,
  });
  fs.writeFileSync(path.join(dir, 'InRelease'), signed);
}

async function writeMirror(): Promise<void> {
  await writeSuite('debian', 'bookworm', { packages: true });
  await writeSuite('debian', 'bookworm-updates');
  await writeSuite('debian-security', 'bookworm-security');
}

const newKey = async (
  name: string,
): Promise<{ priv: openpgp.PrivateKey; pub: openpgp.PublicKey }> => {
  const k = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name }],
    format: 'object',
  });
  return { priv: k.privateKey, pub: k.publicKey };
};

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    group: (_n, fn) => fn(),
    untrusted: (fn) => fn(),
  };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysroot-mirror-'));
  mirror = path.join(tmp, 'mirror');
  key = await newKey('loopback archive');
  trust = await userTrust(key.pub.write(), 'loopback.gpg');
  buildDeb(
    'libfoo-dev',
    '1.2-1',
    { Depends: 'libfoo1 (= 1.2-1), foo-data' },
    {
      [`usr/lib/${TRIPLET}/libfoo.so`]: `->/lib/${TRIPLET}/libfoo.so.1.2`,
      [`usr/lib/${TRIPLET}/pkgconfig/foo.pc`]:
        'prefix=/usr\nName: foo\nVersion: 1.2\nLibs: -lfoo\n',
      'usr/include/foo.h': '#define FOO 1\n',
    },
    'xz',
  );
  buildDeb(
    'libfoo1',
    '1.2-1',
    { 'Pre-Depends': 'libc6 (>= 2.34)', Depends: 'libbar0 (>= 0.5) | libbaz0' },
    {
      [`lib/${TRIPLET}/libfoo.so.1.2`]: 'not really an ELF',
      [`lib/${TRIPLET}/libfoo.so.1`]: '->libfoo.so.1.2',
    },
    'gzip',
  );
  buildDeb('libfoo1', '1.1-1', {}, { [`lib/${TRIPLET}/libfoo.so.1.1`]: 'old' }, 'xz');
  buildDeb('libbar0', '0.4-1', {}, { [`usr/lib/${TRIPLET}/libbar.so.0`]: 'too old' }, 'xz');
  buildDeb('libbaz0', '2.0-1', {}, { [`usr/lib/${TRIPLET}/libbaz.so.0`]: 'baz' }, 'none');
  buildDeb(
    'foo-data',
    '1.2-1',
    { Architecture: 'all', 'Multi-Arch': 'foreign' },
    { 'usr/share/foo/data': 'd' },
    'xz',
  );
  await writeMirror();
  server = await startFileServer(tmp);
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

let dest: string;
beforeEach(() => {
  dest = path.join(tmp, 'out', `overlay-${Math.random().toString(36).slice(2)}`);
});

const request = (over: Partial<SysrootRequest> = {}): SysrootRequest => ({
  triple: 'aarch64-unknown-linux-gnu',
  piOs: 'bookworm',
  packages: ['libfoo-dev'],
  mirror: `${server.url}/mirror`,
  trust,
  ...over,
});

const deps = (log = recordingLog()) => ({ fetch: httpFetcher({ attempts: 1 }), log });

/** Nothing at the destination and no staging directory beside it. */
function nothingKept(): void {
  expect(fs.existsSync(dest)).toBe(false);
  const parent = path.dirname(dest);
  const left = fs.existsSync(parent)
    ? fs.readdirSync(parent).filter((n) => n.startsWith(path.basename(dest)))
    : [];
  expect(left).toEqual([]);
}

/** Runs `fn` with one mirror file changed, then puts it back. */
async function withTampered(
  rel: string,
  change: (b: Buffer) => Buffer,
  fn: () => Promise<void>,
): Promise<void> {
  const file = path.join(mirror, rel);
  const orig = fs.readFileSync(file);
  fs.writeFileSync(file, change(Buffer.from(orig)));
  try {
    await fn();
  } finally {
    fs.writeFileSync(file, orig);
  }
}

const flip =
  (at: (b: Buffer) => number) =>
  (b: Buffer): Buffer => {
    const i = at(b);
    b[i] = (b[i] as number) ^ 0x01;
    return b;
  };

describe('archive client against a signed loopback mirror', () => {
  it('resolves, verifies and unpacks the closure; warns about the missing supplement', async () => {
    const log = recordingLog();
    const t0 = performance.now();
    const r = await fetchSysrootPackages(request(), dest, deps(log));
    const total = performance.now() - t0;
    expect(r.resolved).toEqual(['libfoo-dev=1.2-1', 'libfoo1=1.2-1', 'libbaz0=2.0-1']);
    expect(r.resolution.skipped.get('foo-data')).toBe('libfoo-dev');
    expect(r.cacheLines).toHaveLength(3);
    expect(r.cacheLines[0]).toMatch(
      /^pool\/main\/l\/libbaz0\/libbaz0_2.0-1_arm64.deb [0-9a-f]{64}$/,
    );
    expect(fs.readFileSync(path.join(dest, 'usr/include/foo.h'), 'utf8')).toBe('#define FOO 1\n');
    expect(fs.readlinkSync(path.join(dest, `usr/lib/${TRIPLET}/libfoo.so`))).toBe(
      `../../../lib/${TRIPLET}/libfoo.so.1.2`,
    );
    expect(fs.readFileSync(path.join(dest, `usr/lib/${TRIPLET}/libfoo.so`), 'utf8')).toBe(
      'not really an ELF',
    );
    expect(fs.existsSync(path.join(dest, 'usr/share/foo'))).toBe(false);
    expect(fs.existsSync(path.join(dest, `lib/${TRIPLET}/libfoo.so.1.1`))).toBe(false);
    expect(log.lines.filter((l) => l.startsWith('warning'))).toEqual([
      expect.stringMatching(
        /^warning Raspberry Pi archive bookworm skipped: no InRelease at .*\/mirror\/raspberrypi\/dists\/bookworm\/InRelease/,
      ),
    ]);
    // gz is taken first: the xz and plain indexes are never fetched.
    expect(
      server.hits.get('/mirror/debian/dists/bookworm/main/binary-arm64/Packages.gz'),
    ).toBeGreaterThan(0);
    expect(
      server.hits.get('/mirror/debian/dists/bookworm/main/binary-arm64/Packages.xz'),
    ).toBeUndefined();
    console.log(
      `loopback fetch+verify+resolve+unpack: ${total.toFixed(0)} ms ${JSON.stringify(Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, Math.round(v)])))}`,
    );
  });

  it('refuses a flipped byte in a .deb', async () => {
    await withTampered(
      'debian/pool/main/l/libfoo1/libfoo1_1.2-1_arm64.deb',
      flip((b) => b.length - 10),
      async () => {
        await expect(fetchSysrootPackages(request(), dest, deps())).rejects.toThrow(
          /package libfoo1 1.2-1 from the Debian archive bookworm \(http:.*libfoo1_1.2-1_arm64.deb\) does not match the signed index: libfoo1_1.2-1_arm64.deb has SHA256 [0-9a-f]{64}, the signed list says [0-9a-f]{64}\. Nothing was unpacked; check that 'sysroot-keyring'/,
        );
      },
    );
    nothingKept();
  });

  it('refuses a flipped byte in the Packages index, compressed or not', async () => {
    await withTampered(
      'debian/dists/bookworm/main/binary-arm64/Packages.gz',
      flip((b) => b.length - 12),
      async () => {
        await expect(fetchSysrootPackages(request(), dest, deps())).rejects.toThrow(
          /the Debian archive bookworm index main\/binary-arm64\/Packages.gz does not match its signed InRelease: main\/binary-arm64\/Packages.gz has SHA256/,
        );
      },
    );
    nothingKept();
  });

  it('refuses an index whose decompressed text differs from the signed uncompressed entry', async () => {
    const inrelease = path.join(mirror, 'debian/dists/bookworm/InRelease');
    const orig = fs.readFileSync(inrelease);
    const plain = fs.readFileSync(
      path.join(mirror, 'debian/dists/bookworm/main/binary-arm64/Packages'),
    );
    const other = Buffer.from(plain);
    other[10] = (other[10] as number) ^ 0x01;
    await writeSuite('debian', 'bookworm', { packages: true, plainAs: other });
    try {
      await expect(fetchSysrootPackages(request(), dest, deps())).rejects.toThrow(
        /index main\/binary-arm64\/Packages.gz does not match its signed InRelease: main\/binary-arm64\/Packages.gz once decompressed has SHA256/,
      );
    } finally {
      fs.writeFileSync(inrelease, orig);
    }
    nothingKept();
  });

  it('takes the next listed index when the mirror lacks the preferred one', async () => {
    const gz = path.join(mirror, 'debian/dists/bookworm/main/binary-arm64/Packages.gz');
    await withTampered(
      'debian/dists/bookworm/main/binary-arm64/Packages.gz',
      (b) => b,
      async () => {
        fs.rmSync(gz);
        const r = await fetchSysrootPackages(request(), dest, deps());
        expect(r.resolved).toEqual(['libfoo-dev=1.2-1', 'libfoo1=1.2-1', 'libbaz0=2.0-1']);
      },
    );
    expect(server.hits.get('/mirror/debian/dists/bookworm/main/binary-arm64/Packages.xz')).toBe(1);
  });

  it('gives up on a mirror that stalls mid-body instead of hanging', async () => {
    fs.writeFileSync(path.join(mirror, 'big.bin'), Buffer.alloc(1 << 20));
    server.fault('/mirror/big.bin', { kind: 'stall' });
    const t0 = performance.now();
    await expect(
      httpFetcher({ attempts: 2, backoffMs: 10, socketTimeoutMs: 300 })(
        `${server.url}/mirror/big.bin`,
      ),
    ).rejects.toThrow(/big.bin: no data for 0.3 s/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('retries a mirror that cuts the connection, then succeeds', async () => {
    server.fault('/mirror/debian/dists/bookworm/InRelease', { kind: 'truncate', times: 1 });
    const r = await fetchSysrootPackages(request(), dest, {
      fetch: httpFetcher({ attempts: 2, backoffMs: 10 }),
      log: recordingLog(),
    });
    expect(r.resolved).toHaveLength(3);
  });

  it('refuses an edited InRelease', async () => {
    await withTampered(
      'debian/dists/bookworm/InRelease',
      (b) => Buffer.from(b.toString().replace('Components: main', 'Components: main contrib')),
      async () => {
        await expect(fetchSysrootPackages(request(), dest, deps())).rejects.toThrow(
          /the Debian archive bookworm InRelease \(.*\) is refused: its signature does not verify/,
        );
      },
    );
    nothingKept();
  });

  it('refuses an InRelease signed by another key', async () => {
    const other = await newKey('someone else');
    await expect(
      fetchSysrootPackages(
        request({ trust: await userTrust(other.pub.write(), 'other.gpg') }),
        dest,
        deps(),
      ),
    ).rejects.toThrow(
      /InRelease .* is refused: it is signed only by keys not in the keys of sysroot-keyring other.gpg/,
    );
    nothingKept();
  });

  it('refuses the mirror against the bundled Debian keys (a re-signing mirror needs sysroot-keyring)', async () => {
    await expect(fetchSysrootPackages(request({ trust: null }), dest, deps())).rejects.toThrow(
      /is refused: it is signed only by keys not in the bundled debian-archive-keyring keys .*set 'sysroot-keyring' to its public key/,
    );
    nothingKept();
  });

  it('refuses an InRelease past its Valid-Until', async () => {
    const orig = fs.readFileSync(path.join(mirror, 'debian/dists/bookworm/InRelease'));
    await writeSuite('debian', 'bookworm', {
      packages: true,
      validUntil: new Date(Date.now() - 86400e3),
    });
    try {
      await expect(fetchSysrootPackages(request(), dest, deps())).rejects.toThrow(
        /is refused: it expired at .* \(Valid-Until\)/,
      );
    } finally {
      fs.writeFileSync(path.join(mirror, 'debian/dists/bookworm/InRelease'), orig);
    }
    nothingKept();
  });

  it('a primary suite missing is an error naming the mirror layout', async () => {
    const p = path.join(mirror, 'debian-security/dists/bookworm-security/InRelease');
    await withTampered(
      'debian-security/dists/bookworm-security/InRelease',
      (b) => b,
      async () => {
        fs.rmSync(p);
        await expect(fetchSysrootPackages(request(), dest, deps())).rejects.toThrow(
          /the Debian security archive bookworm-security has no InRelease at .*\(404\); 'sysroot-mirror' must serve each archive under <url>\/<archive>\/ \(here debian-security\/\)/,
        );
      },
    );
    nothingKept();
  });

  it('an unknown package names the input and suggests from the index', async () => {
    await expect(
      fetchSysrootPackages(request({ packages: ['libfoo'] }), dest, deps()),
    ).rejects.toThrow(
      /input 'sysroot-packages': 'libfoo' is not a package of Debian archive bookworm, Debian archive bookworm-updates, Debian security archive bookworm-security for arm64 \(did you mean libfoo-dev, libfoo1\?\); not searched: Raspberry Pi archive bookworm \(not reachable\)/,
    );
    nothingKept();
  });
});
