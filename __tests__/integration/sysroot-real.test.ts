/**
 * The archive client on Debian's real signed archive: InRelease files, Packages indexes and
 * .debs fetched by scripts/setup-sysroot-fixtures.sh through this machine's apt sources, served
 * from a loopback mirror. aarch64 is verified with the bundled keys; armv7 reads Debian's armhf
 * under raspbian/ (a stand-in for Raspbian, ARMv7 only) with Debian's keyring as sysroot-keyring.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  fetchSysrootPackages,
  loadIndexes,
  openSuites,
  resolveRequest,
  type SysrootRequest,
} from '../../src/sysroot/client.js';
import { httpFetcher } from '../../src/sysroot/fetch.js';
import { userTrust } from '../../src/sysroot/keys.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { TEST_HOME } from '../helpers/test-env.js';
import type { Log } from '../../src/log.js';

const FIXTURES = process.env.SYSROOT_MIRROR ?? path.join(TEST_HOME, 'sysroot-mirror');
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

let server: FileServer;
let tmp: string;
const warnings: string[] = [];
const log: Log = {
  info: () => {},
  debug: () => {},
  warning: (m) => warnings.push(m),
  group: (_n, fn) => fn(),
  untrusted: (fn) => fn(),
};

beforeAll(async () => {
  if (!fs.existsSync(path.join(FIXTURES, 'debian/dists/bookworm/InRelease'))) {
    throw new Error(`no sysroot mirror at ${FIXTURES}: run scripts/setup-sysroot-fixtures.sh`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysroot-real-'));
  server = await startFileServer(FIXTURES);
});
afterAll(async () => {
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const req = (over: Partial<SysrootRequest>): SysrootRequest => ({
  triple: 'aarch64-unknown-linux-gnu',
  piOs: 'bookworm',
  packages: ['libssl-dev'],
  mirror: server.url,
  trust: null,
  ...over,
});

const ms = (t: Record<string, number>): string =>
  Object.entries(t)
    .map(([k, v]) => `${k} ${Math.round(v)} ms`)
    .join(', ');

describe('the real Debian archive through a loopback mirror', () => {
  it('aarch64 bookworm: libssl-dev verified with the bundled Debian keys, unpacked', async () => {
    const dest = path.join(tmp, 'a64-bookworm');
    const t0 = performance.now();
    const r = await fetchSysrootPackages(req({}), dest, {
      fetch: httpFetcher({ attempts: 1 }),
      log,
    });
    const total = performance.now() - t0;
    expect(r.resolved.map((n) => n.split('=')[0])).toEqual(['libssl-dev', 'libssl3']);
    // The highest of bookworm, -updates and -security, the same version for both.
    const [dev, lib] = r.resolved.map((n) => n.split('=')[1]);
    expect(dev).toBe(lib);
    expect(dev).toMatch(/^3\.0\./);
    const libdir = path.join(dest, 'usr/lib/aarch64-linux-gnu');
    expect(fs.readlinkSync(path.join(libdir, 'libssl.so'))).toBe('libssl.so.3');
    expect(fs.statSync(path.join(libdir, 'libssl.so')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(libdir, 'pkgconfig/openssl.pc'), 'utf8')).toMatch(
      /^Version: 3\.0\./m,
    );
    expect(
      fs.existsSync(path.join(dest, 'usr/include/aarch64-linux-gnu/openssl/opensslconf.h')),
    ).toBe(true);
    expect(warnings.some((w) => /Raspberry Pi archive bookworm skipped/.test(w))).toBe(true);
    console.log(
      `real aarch64 bookworm libssl-dev, cold: ${Math.round(total)} ms (${ms(r.timings)}); ${r.resolved.join(' ')}`,
    );
  });

  it('aarch64 bookworm: the dbus closure, its absolute .so symlink rewritten inside the sysroot', async () => {
    const dest = path.join(tmp, 'a64-dbus');
    const r = await fetchSysrootPackages(req({ packages: ['libdbus-1-dev'] }), dest, {
      fetch: httpFetcher({ attempts: 1 }),
      log,
    });
    expect(r.resolved.map((n) => n.split('=')[0])).toEqual(
      expect.arrayContaining(['libdbus-1-dev', 'libdbus-1-3', 'libsystemd0']),
    );
    const link = path.join(dest, 'usr/lib/aarch64-linux-gnu/libdbus-1.so');
    expect(fs.readlinkSync(link)).toMatch(
      /^\.\.\/\.\.\/\.\.\/lib\/aarch64-linux-gnu\/libdbus-1\.so\.3\./,
    );
    expect(fs.realpathSync(link).startsWith(fs.realpathSync(dest))).toBe(true);
    console.log(`real aarch64 bookworm libdbus-1-dev: ${ms(r.timings)}; ${r.resolved.join(' ')}`);
  });

  it.each([
    ['bookworm', /^libssl3=3\.0\./, 'libssl.so.3'],
    ['bullseye', /^libssl1\.1=1\.1\.1/, 'libssl.so.1.1'],
  ])(
    'armv7 %s (Debian armhf standing in for Raspbian, sysroot-keyring): the release decides the soname',
    async (piOs, runtime, soname) => {
      const dest = path.join(tmp, `armv7-${piOs}`);
      const trust = await userTrust(fs.readFileSync(DEBIAN_KEYRING), DEBIAN_KEYRING);
      const r = await fetchSysrootPackages(
        req({ triple: 'armv7-unknown-linux-gnueabihf', piOs, trust }),
        dest,
        { fetch: httpFetcher({ attempts: 1 }), log },
      );
      expect(r.resolved[0]).toMatch(/^libssl-dev=/);
      expect(r.resolved[1]).toMatch(runtime);
      expect(fs.readlinkSync(path.join(dest, 'usr/lib/arm-linux-gnueabihf/libssl.so'))).toBe(
        soname,
      );
      console.log(`real armv7 ${piOs} libssl-dev: ${ms(r.timings)}; ${r.resolved.join(' ')}`);
    },
  );

  it('resolves libx11-dev with its arch-independent headers, bullseye-style traps left out', async () => {
    const r = req({ packages: ['libx11-dev', 'libsqlite3-dev', 'libssl-dev'] });
    const d = { fetch: httpFetcher({ attempts: 1 }), log };
    const res = resolveRequest(r, await loadIndexes(r, await openSuites(r, d), d));
    const names = res.packages.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['libx11-dev', 'x11proto-dev', 'xtrans-dev', 'libxcb1-dev']),
    );
    expect(names).not.toContain('debconf');
    expect(names).not.toContain('perl-base');
    expect(res.skipped.has('xorg-sgml-doctools')).toBe(true);
  });

  it('an unknown name suggests the real package', async () => {
    await expect(
      fetchSysrootPackages(req({ packages: ['libsqlite-dev'] }), path.join(tmp, 'x'), {
        fetch: httpFetcher({ attempts: 1 }),
        log,
      }),
    ).rejects.toThrow(/'libsqlite-dev' is not a package of .*did you mean .*libsqlite3-dev/);
  });
});
