/**
 * sysroot-packages through the bundled action, offline: Debian's real signed archive (InRelease,
 * Packages, .debs fetched by scripts/setup-sysroot-fixtures.sh) served from a loopback mirror,
 * a crate using `openssl` built for pi4 and pi2, linked against the release's libssl and run
 * under qemu with the merged sysroot. Debian's armhf is served under raspbian/ and stands in for
 * Raspbian for armv7 only (it is ARMv7 code); `sysroot-keyring` is Debian's keyring for it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
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

function opensslWorkspace(label: string): RunnerDirs {
  const d = runnerDirs(label);
  workspaceWithFixtures(d);
  fs.cpSync(path.join(FIXTURES, 'hello-openssl'), path.join(d.workspace, 'hello-openssl'), {
    recursive: true,
  });
  return d;
}

function gccInputs(d: RunnerDirs, over: Record<string, string>): Record<string, string> {
  return offlineInputs(d, {
    target: 'pi4, pi2',
    'working-directory': 'hello-openssl',
    'toolchain-url': `${toolchains.url}/${multi.file}`,
    'toolchain-sha256': multi.sha256,
    'sysroot-packages': 'libssl-dev',
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

describe('gcc, pi-os bookworm: OpenSSL 3 from the archive', () => {
  let dirs: RunnerDirs;
  let r: ActionRun;
  beforeAll(async () => {
    dirs = opensslWorkspace('sysroot-gcc');
    const t0 = Date.now();
    r = await runAction(gccInputs(dirs, {}), dirs);
    console.log(`sysroot e2e gcc bookworm pi4+pi2 (cold): ${Date.now() - t0} ms`);
  });

  test('builds for both targets, links libssl.so.3, and runs under qemu with the merged sysroot', () => {
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const bins = JSON.parse(r.outputs.binaries as string) as Binary[];
    expect(bins.map((b) => b.target).sort()).toEqual([
      'aarch64-unknown-linux-gnu',
      'armv7-unknown-linux-gnueabihf',
    ]);
    for (const b of bins) {
      expect(needed(b.path)).toEqual(expect.arrayContaining(['libssl.so.3', 'libcrypto.so.3']));
      expect(runWithRunner(r, b)).toMatch(new RegExp(`^OpenSSL 3\\.0\\.\\d+ .* sha256=${DIGEST}$`));
    }
    expect(r.outputs['sysroot-packages']?.split('\n').sort()).toEqual([
      expect.stringMatching(/^aarch64-unknown-linux-gnu libssl-dev=3\.0\./),
      expect.stringMatching(/^aarch64-unknown-linux-gnu libssl3=3\.0\./),
      expect.stringMatching(/^armv7-unknown-linux-gnueabihf libssl-dev=3\.0\./),
      expect.stringMatching(/^armv7-unknown-linux-gnueabihf libssl3=3\.0\./),
    ]);
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
  });

  test('the summary lists the packages and which one each NEEDED library comes from', () => {
    expect(r.summary).toContain('### Sysroot packages');
    expect(r.summary).toMatch(
      /\| `aarch64-unknown-linux-gnu` \| `pi-hello-openssl` \| `libssl\.so\.3` \| `apt install libssl3` \(3\.0\.\d+/,
    );
    expect(r.summary).toMatch(/`libcrypto\.so\.3` \| `apt install libssl3`/);
    expect(r.summary).toMatch(/✅ `OpenSSL 3\.0\.\d+/);
  });
});
