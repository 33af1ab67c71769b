/**
 * sysroot-packages through the bundled action, offline: Debian's real signed archive (InRelease,
 * Packages, .debs fetched by scripts/setup-sysroot-fixtures.sh) served from a loopback mirror,
 * a crate using `openssl`, `rusqlite` and (from C, through pkg-config) libdbus-1 built for pi4 and
 * pi2, linked against the release's libraries and run under qemu with the merged sysroot. Debian's armhf is served under raspbian/ and stands in for
 * Raspbian for armv7 only (it is ARMv7 code); `sysroot-keyring` is Debian's keyring for it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as openpgp from 'openpgp';
import { startActionsService } from '../helpers/actions-service.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { FIXTURES, TEST_HOME, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

const MIRROR = path.join(TEST_HOME, 'sysroot-mirror');
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
/** sha256("raspberry pi"), as the fixture prints it. */
const DIGEST = 'd74d488752650f23e6394cdd8540325be42be9b87134e798ed7047e0df5c1b68';
const multi = testToolchain('pi-multi');

interface Binary {
  target: string;
  name: string;
  path: string;
}

let toolchains: FileServer;
let mirror: FileServer;

beforeAll(async () => {
  if (!fs.existsSync(path.join(MIRROR, 'debian/dists/bookworm/InRelease'))) {
    throw new Error(`no sysroot mirror at ${MIRROR}: run 'sudo bash scripts/setup-test-env.sh'`);
  }
  toolchains = await startFileServer(TOOLCHAIN_DIR);
  mirror = await startFileServer(MIRROR);
});
afterAll(async () => {
  await toolchains.close();
  await mirror.close();
});

function sysWorkspace(label: string, spaces = true): RunnerDirs {
  const d = runnerDirs(label, spaces);
  workspaceWithFixtures(d);
  fs.cpSync(path.join(FIXTURES, 'hello-sys'), path.join(d.workspace, 'hello-sys'), {
    recursive: true,
  });
  return d;
}

function gccInputs(d: RunnerDirs, over: Record<string, string>): Record<string, string> {
  return offlineInputs(d, {
    target: 'pi4, pi2',
    'working-directory': 'hello-sys',
    'toolchain-url': `${toolchains.url}/${multi.file}`,
    'toolchain-sha256': multi.sha256,
    'sysroot-packages': 'libssl-dev, libsqlite3-dev\nlibdbus-1-dev',
    'sysroot-mirror': mirror.url,
    'sysroot-keyring': DEBIAN_KEYRING,
    'smoke-test': 'x',
    ...over,
  });
}

/** Runs a built binary the way the exported runner does (its -L is the merged sysroot). */
function runWithRunner(r: ActionRun, bin: Binary): string {
  const key = bin.target.toUpperCase().replace(/-/g, '_');
  const runner = (r.exported[`CARGO_TARGET_${key}_RUNNER`] as string).split(' ');
  return execFileSync(runner[0] as string, [...runner.slice(1), bin.path], {
    encoding: 'utf8',
    timeout: 60000,
  }).trim();
}

function needed(file: string): string[] {
  const out = execFileSync('readelf', ['-d', file], { encoding: 'utf8' });
  return [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1] as string);
}

describe('gcc, pi-os bookworm: OpenSSL 3, SQLite, dbus from the archive', () => {
  let dirs: RunnerDirs;
  let r: ActionRun;
  beforeAll(async () => {
    // No spaces: the merged sysroot and wrappers then live in the tool cache, the same paths
    // every run (the other cases have spaces and use the run's private directory).
    dirs = sysWorkspace('sysroot-gcc', false);
    const t0 = Date.now();
    r = await runAction(gccInputs(dirs, {}), dirs);
    console.log(`sysroot e2e gcc bookworm pi4+pi2 (cold): ${Date.now() - t0} ms`);
    // Two -sys crates and C for two targets, cold: 227 s at load 10 (the hook default is 180 s).
  }, 900000);

  test('builds for both targets, links bookworm’s libssl.so.3, libsqlite3 and libdbus, runs under qemu with the merged sysroot', () => {
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const bins = JSON.parse(r.outputs.binaries as string) as Binary[];
    expect(bins.map((b) => b.target).sort()).toEqual([
      'aarch64-unknown-linux-gnu',
      'armv7-unknown-linux-gnueabihf',
    ]);
    for (const b of bins) {
      expect(needed(b.path)).toEqual(
        expect.arrayContaining([
          'libssl.so.3',
          'libcrypto.so.3',
          'libsqlite3.so.0',
          'libdbus-1.so.3',
        ]),
      );
      expect(runWithRunner(r, b)).toMatch(
        new RegExp(
          `^OpenSSL 3\\.0\\.\\d+ .* sha256=${DIGEST} sqlite=3\\.40\\.1 6\\*7=42 dbus=1\\.14\\.10$`,
        ),
      );
    }
    const resolved = r.outputs['sysroot-packages']?.split('\n') ?? [];
    for (const t of ['aarch64-unknown-linux-gnu', 'armv7-unknown-linux-gnueabihf']) {
      const names = resolved.filter((l) => l.startsWith(`${t} `)).map((l) => l.split(/[ =]/)[1]);
      // The dbus closure goes two levels down (libdbus-1-3 → libsystemd0 → …), glibc excluded.
      expect(names).toEqual(
        expect.arrayContaining([
          'libssl-dev',
          'libssl3',
          'libsqlite3-dev',
          'libsqlite3-0',
          'libdbus-1-dev',
          'libdbus-1-3',
          'libsystemd0',
        ]),
      );
      expect(names).not.toContain('libc6');
    }
  });

  test('the compiler, pkg-config and qemu all point at one merged sysroot', () => {
    const sfx = 'aarch64_unknown_linux_gnu';
    const merged = r.exported[`PKG_CONFIG_SYSROOT_DIR_${sfx}`] as string;
    expect(merged).not.toMatch(/\s/);
    expect(r.exported[`PKG_CONFIG_LIBDIR_${sfx}`]).toContain(
      `${merged}/usr/lib/aarch64-linux-gnu/pkgconfig`,
    );
    const cc = r.exported[`CC_${sfx}`] as string;
    expect(r.exported.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER).toBe(cc);
    expect(fs.readFileSync(cc, 'utf8')).toContain(`'--sysroot=${merged}'`);
    // The loader from the toolchain, libssl from the package, side by side.
    expect(fs.existsSync(path.join(merged, 'lib/ld-linux-aarch64.so.1'))).toBe(true);
    expect(fs.existsSync(path.join(merged, 'usr/lib/aarch64-linux-gnu/libssl.so.3'))).toBe(true);
    const runnerL = (r.exported.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER as string)
      .split(' ')
      .pop() as string;
    expect(fs.realpathSync(runnerL)).toBe(fs.realpathSync(merged));
    // The toolchains output's sysroot is what a later qemu step gives -L: the merged one too.
    const uses = JSON.parse(r.outputs.toolchains as string) as {
      triple: string;
      sysroot: string;
    }[];
    expect(uses.find((u) => u.triple === 'aarch64-unknown-linux-gnu')?.sysroot).toBe(merged);
  });

  test('the summary lists the packages and which one each NEEDED library comes from', () => {
    expect(r.summary).toContain('### Sysroot packages');
    expect(r.summary).toMatch(
      /\| `aarch64-unknown-linux-gnu` \| <code>pi-hello-sys<\/code> \| <code>libssl\.so\.3<\/code> \| <code>apt install libssl3<\/code> \(3\.0\.\d+/,
    );
    expect(r.summary).toMatch(
      /<code>libcrypto\.so\.3<\/code> \| <code>apt install libssl3<\/code>/,
    );
    expect(r.summary).toMatch(
      /<code>libsqlite3\.so\.0<\/code> \| <code>apt install libsqlite3-0<\/code>/,
    );
    expect(r.summary).toMatch(
      /<code>libdbus-1\.so\.3<\/code> \| <code>apt install libdbus-1-3<\/code>/,
    );
    expect(r.summary).toMatch(/✅ <code>OpenSSL 3\.0\.\d+/);
  });

  test('a second run downloads nothing beyond the InRelease files', async () => {
    const before = new Map(mirror.hits);
    const t0 = Date.now();
    const again = await runAction(gccInputs(dirs, {}), dirs);
    console.log(`sysroot e2e gcc bookworm pi4+pi2 (warm): ${Date.now() - t0} ms`);
    expect(again.errors).toEqual([]);
    expect(again.code).toBe(0);
    const asked = [...mirror.hits].filter(([p, n]) => n > (before.get(p) ?? 0)).map(([p]) => p);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((p) => !p.endsWith('/InRelease'))).toEqual([]);
    expect(again.stdout).toMatch(
      /aarch64-unknown-linux-gnu: sysroot packages .*libdbus-1-dev=.* \(tool-cache\)/,
    );
    expect(again.outputs['sysroot-packages']).toBe(r.outputs['sysroot-packages']);
    // The same wrapper and sysroot paths as the first run: cargo has nothing to rebuild.
    const sfx = 'aarch64_unknown_linux_gnu';
    expect(again.exported[`CC_${sfx}`]).toBe(r.exported[`CC_${sfx}`]);
    expect(
      r.exported[`CC_${sfx}`]?.startsWith(path.join(dirs.toolCache, 'rpi-cross-sysroot')),
    ).toBe(true);
    expect(`${r.stdout}${r.stderr}`).toMatch(/Compiling openssl-sys/);
    expect(`${again.stdout}${again.stderr}`).not.toMatch(/Compiling (openssl-sys|pi-hello-sys)/);
    const stage = /\| Pi OS packages \| ([\d.]+) \|/.exec(again.summary)?.[1];
    console.log(
      `sysroot stage: cold ${/\| Pi OS packages \| ([\d.]+) \|/.exec(r.summary)?.[1]} s, warm ${stage} s`,
    );
  });
});

/**
 * Tampering, end to end: a mirror that is a symlink copy of the real one with one file altered.
 * Each must stop the run in the sysroot stage with one error naming what and where, before
 * anything is unpacked or cached.
 */
describe('a mirror that serves altered or unverifiable files is refused', () => {
  let dirs: RunnerDirs;
  let n = 0;
  beforeAll(() => {
    dirs = sysWorkspace('sysroot-tamper');
  });

  /** A copy of the mirror made of symlinks; `edit` replaces files in it (never through a link). */
  async function tampered(
    edit: (
      root: string,
      replace: (rel: string, body: Buffer | string) => void,
    ) => Promise<void> | void,
  ): Promise<FileServer> {
    const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tamper-')), `m${++n}`);
    execFileSync('cp', ['-rs', MIRROR, root]);
    const replace = (rel: string, body: Buffer | string): void => {
      const file = path.join(root, rel);
      fs.rmSync(file);
      fs.writeFileSync(file, body);
    };
    await edit(root, replace);
    return startFileServer(root);
  }

  const flip = (file: string): Buffer => {
    const b = Buffer.from(fs.readFileSync(file));
    const at = Math.floor(b.length / 2);
    b[at] = (b[at] as number) ^ 0x01;
    return b;
  };

  async function refused(
    server: FileServer,
    over: Record<string, string> = {},
  ): Promise<ActionRun> {
    // A verified index cached by an earlier case would (rightly) never be fetched again.
    fs.rmSync(path.join(dirs.toolCache, 'rpi-cross-sysroot'), { recursive: true, force: true });
    try {
      const r = await runAction(
        gccInputs(dirs, {
          target: 'pi4',
          'sysroot-mirror': server.url,
          'sysroot-keyring': '',
          ...over,
        }),
        dirs,
      );
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.stdout).not.toMatch(/Build/);
      // Nothing unverified is kept: no overlay, no partial one, no index that failed its hash.
      const cached = path.join(dirs.toolCache, 'rpi-cross-sysroot', 'aarch64-unknown-linux-gnu');
      expect(fs.existsSync(cached) ? fs.readdirSync(cached) : []).toEqual([]);
      return r;
    } finally {
      await server.close();
    }
  }

  test('a flipped byte in a .deb', async () => {
    const deb = 'debian-security/pool/updates/main/o/openssl/libssl3_3.0.22-1~deb12u2_arm64.deb';
    const server = await tampered((root, replace) => replace(deb, flip(path.join(MIRROR, deb))));
    const r = await refused(server);
    expect(r.errors[0]).toMatch(
      /package libssl3 3\.0\.22-1~deb12u2 from the Debian security archive bookworm-security \(.*libssl3_3\.0\.22-1~deb12u2_arm64\.deb\) does not match the signed index: .* has SHA256 [0-9a-f]{64}, the signed list says [0-9a-f]{64}\. Nothing was unpacked; if 'sysroot-mirror' re-signs the archive, set 'sysroot-keyring'/,
    );
  });

  test('a flipped byte in a Packages index', async () => {
    const dir = 'debian/dists/bookworm/main/binary-arm64';
    // setup-sysroot-fixtures fetches the .gz where listed: a fresh test bed has no .xz.
    const present = ['Packages.gz', 'Packages.xz'].filter((f) =>
      fs.existsSync(path.join(MIRROR, dir, f)),
    );
    expect(present.length).toBeGreaterThan(0);
    const server = await tampered((root, replace) => {
      for (const f of present) replace(`${dir}/${f}`, flip(path.join(MIRROR, dir, f)));
    });
    const r = await refused(server);
    expect(r.errors[0]).toMatch(
      /the Debian archive bookworm index main\/binary-arm64\/Packages\.(gz|xz) does not match its signed InRelease: .*Nothing was unpacked/,
    );
    const indexes = path.join(dirs.toolCache, 'rpi-cross-sysroot', 'indexes');
    for (const f of fs.existsSync(indexes) ? fs.readdirSync(indexes) : []) {
      for (const x of present) {
        expect(fs.readFileSync(path.join(indexes, f)).equals(flip(path.join(MIRROR, dir, x)))).toBe(
          false,
        );
      }
    }
  });

  test('an edited InRelease', async () => {
    const rel = 'debian/dists/bookworm/InRelease';
    const server = await tampered((root, replace) =>
      replace(
        rel,
        // The listed hash of an index, as a forger pointing it at their own would (trailing
        // whitespace is not covered by a cleartext signature: the edit must be a real one).
        fs
          .readFileSync(path.join(MIRROR, rel), 'utf8')
          .replace(
            /^ ([0-9a-f])(\S{63} +\d+ main\/binary-arm64\/Packages\.xz)$/m,
            (_m, c: string, rest: string) => ` ${c === '0' ? '1' : '0'}${rest}`,
          ),
      ),
    );
    const r = await refused(server);
    expect(r.errors[0]).toMatch(
      /the Debian archive bookworm InRelease \(.*\) is refused: .*Nothing was unpacked/,
    );
  });

  test('a keyring without the signing key', async () => {
    const server = await tampered(() => undefined);
    const keyring = '/usr/share/keyrings/debian-archive-trixie-stable.gpg';
    const r = await refused(server, { 'sysroot-keyring': keyring });
    expect(r.errors[0]).toMatch(
      new RegExp(
        `InRelease .* is refused: .*check that 'sysroot-keyring' \\(the keys of sysroot-keyring ${keyring}\\) holds the key this mirror signs with`,
      ),
    );
  });

  test('a Valid-Until in the past, signed by the trusted key', async () => {
    const k = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'mirror' }],
      format: 'object',
    });
    const keyFile = path.join(dirs.workspace, 'mirror-key.asc');
    fs.writeFileSync(keyFile, k.publicKey.armor());
    const server = await tampered(async (root, replace) => {
      for (const [rel, expire] of [
        ['debian/dists/bookworm/InRelease', true],
        ['debian/dists/bookworm-updates/InRelease', false],
        ['debian-security/dists/bookworm-security/InRelease', false],
      ] as const) {
        const msg = await openpgp.readCleartextMessage({
          cleartextMessage: fs.readFileSync(path.join(MIRROR, rel), 'utf8'),
        });
        let text = msg.getText();
        if (expire)
          text = text.replace(/^(Date: .*)$/m, '$1\nValid-Until: Sat, 01 Jun 2024 00:00:00 UTC');
        const signed = await openpgp.sign({
          message: await openpgp.createCleartextMessage({ text }),
          signingKeys: k.privateKey,
        });
        replace(rel, signed);
      }
    });
    const r = await refused(server, { 'sysroot-keyring': keyFile });
    expect(r.errors[0]).toMatch(
      /bookworm InRelease .* is refused: it expired at 2024-06-01T00:00:00\.000Z \(Valid-Until\): the mirror serves a stale copy\. Nothing was unpacked; update the mirror/,
    );
  });
});

describe('zig, pi-os bullseye, pi2: OpenSSL 1.1, SQLite, dbus from the archive beside zig’s own glibc', () => {
  const ZIG_DIR = path.join(TEST_HOME, 'zig');
  const ZIG_FILE = 'zig-linux-x86_64-0.11.0.tar.gz';
  let zigServer: FileServer;
  let r: ActionRun;
  beforeAll(async () => {
    zigServer = await startFileServer(ZIG_DIR);
    const sha = fs.readFileSync(path.join(ZIG_DIR, `${ZIG_FILE}.sha256`), 'utf8').split(/\s+/)[0];
    const dirs = sysWorkspace('sysroot-zig');
    const t0 = Date.now();
    r = await runAction(
      gccInputs(dirs, {
        // pi2 only: the fixture mirror cannot have bullseye-security's arm64 .debs (the newest
        // libssl1.1 for aarch64 is there, and apt's mirror here no longer serves it).
        target: 'pi2',
        'pi-os': 'bullseye',
        linker: 'zig',
        'toolchain-url': `${zigServer.url}/${ZIG_FILE}`,
        'toolchain-sha256': sha as string,
      }),
      dirs,
      // Warmed by setup-zig.sh for these targets and floors (zig's glibc stubs).
      { ZIG_GLOBAL_CACHE_DIR: path.join(ZIG_DIR, 'cache-0.11.0') },
    );
    console.log(`sysroot e2e zig bullseye pi2 (cold): ${Date.now() - t0} ms`);
  }, 900000);
  afterAll(() => zigServer.close());

  test('links libssl.so.1.1 under the bullseye glibc floor and runs under qemu', () => {
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const bins = JSON.parse(r.outputs.binaries as string) as (Binary & { glibc: string })[];
    expect(bins).toHaveLength(1);
    for (const b of bins) {
      // zig links --as-needed: a binary that only hashes keeps libcrypto alone.
      expect(needed(b.path)).toContain('libcrypto.so.1.1');
      expect(needed(b.path).filter((n) => /^lib(ssl|crypto)\.so\.3$/.test(n))).toEqual([]);
      expect(Number(b.glibc.split('.')[1])).toBeLessThanOrEqual(31);
      expect(runWithRunner(r, b)).toMatch(
        new RegExp(
          `^OpenSSL 1\\.1\\.1\\w .* sha256=${DIGEST} sqlite=3\\.34\\.1 6\\*7=42 dbus=1\\.12\\.\\d+$`,
        ),
      );
    }
    const cc = r.exported.CC_armv7_unknown_linux_gnueabihf as string;
    const config = JSON.parse(fs.readFileSync(path.join(path.dirname(cc), 'cc.json'), 'utf8')) as {
      sysroot: { include: string[] };
    };
    const merged = r.exported.PKG_CONFIG_SYSROOT_DIR_armv7_unknown_linux_gnueabihf as string;
    expect(config.sysroot.include).toEqual([
      `${merged}/usr/include/arm-linux-gnueabihf`,
      `${merged}/usr/include`,
    ]);
    expect(r.outputs['sysroot-packages']).toMatch(
      /^armv7-unknown-linux-gnueabihf libssl1\.1=1\.1\.1/m,
    );
  });
});

describe('the Actions cache carries the unpacked packages to a fresh runner', () => {
  test('saved after a download; restored on a runner with an empty tool cache: no .deb fetched', async () => {
    const service = await startActionsService();
    try {
      const first = sysWorkspace('sysroot-actions-cache');
      const inputs = (d: RunnerDirs) => gccInputs(d, { target: 'pi4', cache: 'true' });
      const a = await runAction(inputs(first), first, service.env('1'));
      expect(a.errors).toEqual([]);
      expect(a.code).toBe(0);
      const saved = service.cacheEntries.filter(
        (e) => e.finalized && e.key.startsWith('rust-rpi-cross-sysroot-aarch64-unknown-linux-gnu-'),
      );
      expect(saved).toHaveLength(1);
      // Another runner: same checkout, same tool-cache path (as on hosted runners: the cache
      // version covers the path), nothing in it.
      for (const e of fs.readdirSync(first.toolCache))
        fs.rmSync(path.join(first.toolCache, e), { recursive: true, force: true });
      const fresh = first;
      const before = new Map(mirror.hits);
      const b = await runAction(inputs(fresh), fresh, service.env('2'));
      expect(b.errors).toEqual([]);
      expect(b.code).toBe(0);
      expect(b.stdout).toMatch(
        /aarch64-unknown-linux-gnu: sysroot packages .*libdbus-1-dev=.* \(actions-cache\)/,
      );
      const asked = [...mirror.hits].filter(([p, n]) => n > (before.get(p) ?? 0)).map(([p]) => p);
      expect(asked.filter((p) => p.endsWith('.deb'))).toEqual([]);
      expect(b.outputs['sysroot-packages']).toBe(a.outputs['sysroot-packages']);
    } finally {
      await service.close();
    }
  });
});
