/**
 * The missing-library hint on Debian's real signed archive (scripts/setup-sysroot-fixtures.sh):
 * a cargo failure as the real run printed it, the InRelease verified, bookworm's real
 * Contents-arm64.gz / Contents-armhf.gz (11 MB each) fetched from a loopback mirror, checked,
 * cached and scanned. armv7 reads Debian's armhf under raspbian/ with Debian's keyring.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CargoFailed } from '../../src/cargo/build.js';
import { ActionError } from '../../src/errors.js';
import type { Log } from '../../src/log.js';
import { withSysrootHint, type HintContext } from '../../src/sysroot/hint.js';
import { resolveTargets } from '../../src/targets/resolve.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { TEST_HOME } from '../helpers/test-env.js';

const MIRROR = process.env.SYSROOT_MIRROR ?? path.join(TEST_HOME, 'sysroot-mirror');
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const CONTENTS_ARM64 = '/debian/dists/bookworm/main/Contents-arm64.gz';

const OPENSSL = `cargo build failed:
error: failed to run custom build command for \`openssl-sys v0.9.80\`
build script stderr:
  Could not find directory of OpenSSL installation, and this \`-sys\` crate cannot`;
const OPENSSL_STDERR = `${OPENSSL}
  $HOST = x86_64-unknown-linux-gnu
  $TARGET = aarch64-unknown-linux-gnu
  openssl-sys = 0.9.80`;
const LD_ARMV7 = `error: linking with \`cc\` failed: exit status: 1
  = note: /tc/bin/../lib/gcc-cross/arm-linux-gnueabihf/12/../../../../arm-linux-gnueabihf/bin/ld: cannot find -lsqlite3: No such file or directory
          collect2: error: ld returned 1 exit status
error: could not compile \`pi-hello-sys\` (bin "pi-hello-sys") due to 1 previous error`;

let server: FileServer;
let toolCache: string;
const lines: string[] = [];
const log: Log = {
  info: (m) => lines.push(m),
  debug: (m) => lines.push(`debug: ${m}`),
  warning: (m) => lines.push(`warning: ${m}`),
  group: (_n, fn) => fn(),
  untrusted: (fn) => fn(),
};

beforeAll(async () => {
  if (!fs.existsSync(path.join(MIRROR, `.${CONTENTS_ARM64}`))) {
    throw new Error(
      `no Contents in the sysroot mirror ${MIRROR}: run scripts/setup-sysroot-fixtures.sh`,
    );
  }
  server = await startFileServer(MIRROR);
});
afterAll(async () => {
  await server?.close();
});

function ctx(
  board: string,
  over: Partial<HintContext> & { packages?: string[]; keyring?: string | null } = {},
): HintContext {
  const { packages = ['libsqlite3-dev'], keyring = null, ...rest } = over;
  toolCache = fs.mkdtempSync(path.join(os.tmpdir(), 'sysroot-hint-'));
  return {
    inputs: {
      targets: resolveTargets(board),
      piOs: 'bookworm',
      sysroot: { all: packages, byTriple: {}, mirror: server.url, keyring },
      downloadTimeoutMs: 10_000,
    },
    sysroots: new Map(),
    toolCacheDir: toolCache,
    log,
    ...rest,
  };
}

async function hinted(err: unknown, c: HintContext): Promise<unknown> {
  return withSysrootHint(err, c).then(
    () => {
      throw new Error('withSysrootHint returned');
    },
    (e: unknown) => e,
  );
}

const failed = (stderr: string, message = 'cargo build failed: …'): CargoFailed =>
  new CargoFailed(message, 'build', stderr);

describe('which package provides the missing file, from the archive’s Contents', () => {
  it('aarch64, openssl-sys: libssl-dev, by openssl.pc; the second time from the cache', async () => {
    const c = ctx('pi4');
    const err = failed(OPENSSL_STDERR, OPENSSL);
    lines.length = 0;
    let t0 = performance.now();
    const e = (await hinted(err, c)) as CargoFailed;
    const cold = performance.now() - t0;
    expect(e).toBeInstanceOf(CargoFailed);
    // The original text first, untouched; then the hint.
    expect(e.message.startsWith(`${OPENSSL}\n`)).toBe(true);
    expect(e.message.slice(OPENSSL.length + 1)).toBe(
      "the sysroot lacks openssl.pc: add libssl-dev to 'sysroot-packages' (sysroot-packages: libsqlite3-dev libssl-dev) (Debian archive bookworm arm64, package libssl-dev provides usr/lib/aarch64-linux-gnu/pkgconfig/openssl.pc)",
    );
    expect(server.hits.get(CONTENTS_ARM64)).toBe(1);
    // bookworm's main has it: -updates and -security are not fetched
    expect(
      server.hits.get('/debian/dists/bookworm-updates/main/Contents-arm64.gz'),
    ).toBeUndefined();
    const scanned = lines.filter((l) => l.includes('Contents-arm64.gz ('));
    expect(scanned).toHaveLength(1);

    t0 = performance.now();
    const again = (await hinted(err, { ...c, log })) as CargoFailed;
    const warm = performance.now() - t0;
    expect(again.message).toBe(e.message);
    expect(server.hits.get(CONTENTS_ARM64)).toBe(1);
    expect(
      lines.filter((l) => l.includes('Contents-arm64.gz (') && l.includes('cached')),
    ).toHaveLength(1);
    console.log(`hint cold ${Math.round(cold)} ms (${scanned[0]}); warm ${Math.round(warm)} ms`);
  });

  it('armv7, GNU ld -lsqlite3 (a second member): libsqlite3-dev from Contents-armhf, no sysroot-packages', async () => {
    const c = ctx('pi2', { packages: [], keyring: DEBIAN_KEYRING });
    const e = (await hinted(failed(LD_ARMV7), c)) as CargoFailed;
    expect(e.message.split('\n').slice(1)).toEqual([
      "the sysroot lacks libsqlite3.so: add 'sysroot-packages: libsqlite3-dev' (Raspbian archive (32-bit Raspberry Pi OS, ARMv6 hard-float) bookworm armhf, package libsqlite3-dev provides usr/lib/arm-linux-gnueabihf/libsqlite3.so)",
    ]);
  });

  it('a package the sysroot already has: says where to look instead of asking for it again', async () => {
    const c = ctx('pi4', {
      packages: ['libssl-dev'],
      sysroots: new Map([
        [
          'aarch64-unknown-linux-gnu',
          { resolved: ['libssl-dev=3.0.22-1~deb12u2', 'libssl3=3.0.22-1~deb12u2'] },
        ],
      ]),
    });
    const e = (await hinted(failed(OPENSSL_STDERR), c)) as CargoFailed;
    const hint = e.message.split('\n').slice(1).join('\n');
    expect(hint).toMatch(
      /^the sysroot has libssl-dev \(Debian archive bookworm arm64, package libssl-dev provides usr\/lib\/aarch64-linux-gnu\/pkgconfig\/openssl\.pc\), yet openssl\.pc was not found: pkg-config did not look there/,
    );
    expect(hint).not.toMatch(/add libssl-dev/);
  });

  it('an archive without Contents: a guess by name from the Packages index, said to be one', async () => {
    for (const s of ['bookworm', 'bookworm-updates'])
      server.fault(`/debian/dists/${s}/main/Contents-arm64.gz`, { kind: 'status', status: 404 });
    server.fault('/debian-security/dists/bookworm-security/main/Contents-arm64.gz', {
      kind: 'status',
      status: 404,
    });
    try {
      const e = (await hinted(
        failed(
          '  Package dbus-1 was not found in the pkg-config search path.\nx.c:1:10: fatal error: openssl/ssl.h: No such file or directory',
        ),
        ctx('pi4'),
      )) as CargoFailed;
      expect(e.message.split('\n').slice(1)).toEqual([
        "the sysroot lacks dbus-1.pc: probably add libdbus-1-dev to 'sysroot-packages' (sysroot-packages: libsqlite3-dev libdbus-1-dev) (Debian archive bookworm arm64: no Contents index to be sure; by name: libdbus-1-dev)",
        // libssl-dev is in bookworm and bookworm-security: named once
        "the sysroot lacks openssl/ssl.h: probably add libssl-dev to 'sysroot-packages' (sysroot-packages: libsqlite3-dev libssl-dev) (Debian archive bookworm arm64: no Contents index to be sure; by name: libssl-dev)",
      ]);
    } finally {
      for (const s of ['bookworm', 'bookworm-updates'])
        server.fault(`/debian/dists/${s}/main/Contents-arm64.gz`, {
          kind: 'status',
          status: 404,
          times: 0,
        });
      server.fault('/debian-security/dists/bookworm-security/main/Contents-arm64.gz', {
        kind: 'status',
        status: 404,
        times: 0,
      });
    }
  });
});

describe('a hint never replaces or hides the error', () => {
  it('a mirror that stalls: the same error object, within the budget', async () => {
    server.fault(CONTENTS_ARM64, { kind: 'stall' });
    try {
      const err = failed(OPENSSL_STDERR, OPENSSL);
      const t0 = performance.now();
      const c = ctx('pi4', { budgetMs: 3000 });
      const e = await hinted(err, { ...c, inputs: { ...c.inputs, downloadTimeoutMs: 2000 } });
      expect(e).toBe(err);
      expect(performance.now() - t0).toBeLessThan(6000);
      expect(lines.at(-2)).toMatch(
        /^no package hint for the missing openssl\.pc: no answer within 3 s/,
      );
    } finally {
      server.fault(CONTENTS_ARM64, { kind: 'status', status: 200, times: 0 });
    }
  });

  it('an unreachable mirror: the same error object', async () => {
    const err = failed(OPENSSL_STDERR, OPENSSL);
    const c = ctx('pi4');
    const dead = { ...c.inputs, sysroot: { ...c.inputs.sysroot!, mirror: 'http://127.0.0.1:9' } };
    expect(await hinted(err, { ...c, inputs: dead })).toBe(err);
  });

  it('a file of the toolchain’s glibc (libc6-dev): no package to add, the same error object', async () => {
    const err = failed(
      '/tc/bin/../aarch64-linux-gnu/bin/ld: cannot find -lc: No such file or directory',
    );
    expect(await hinted(err, ctx('pi4'))).toBe(err);
    expect(lines.some((l) => l.includes('scanned for libc.so'))).toBe(true);
  });

  it('a failure that names no missing file, or another error: rethrown, nothing fetched', async () => {
    const before = [...server.hits.values()].reduce((a, b) => a + b, 0);
    const plain = failed('error[E0425]: cannot find value `x` in this scope');
    expect(await hinted(plain, ctx('pi4'))).toBe(plain);
    const other = new ActionError('verification failed', 'verify');
    expect(await hinted(other, ctx('pi4'))).toBe(other);
    expect([...server.hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });
});
