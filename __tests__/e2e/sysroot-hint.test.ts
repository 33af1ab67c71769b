/**
 * The bundled action, offline: `fixtures/hello-sys` for pi4 with one of its libraries left out
 * of `sysroot-packages` (openssl-sys's build script, the crate's own pkg-config probe, the link). The build fails, and its one `::error::` keeps cargo's text and names
 * the package that provides the missing file, found in bookworm's real Contents-arm64.gz from
 * the loopback mirror (scripts/setup-sysroot-fixtures.sh). A mirror that stalls for the lookup
 * leaves the error as it was, within the bound.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun } from '../helpers/run-action.js';
import { FIXTURES, TEST_HOME, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

const MIRROR = path.join(TEST_HOME, 'sysroot-mirror');
const CONTENTS = '/debian/dists/bookworm/main/Contents-arm64.gz';
const multi = testToolchain('pi-multi');

let toolchains: FileServer;
let mirror: FileServer;

beforeAll(async () => {
  if (!fs.existsSync(path.join(MIRROR, `.${CONTENTS}`))) {
    throw new Error(
      `no Contents in the sysroot mirror ${MIRROR}: run scripts/setup-sysroot-fixtures.sh`,
    );
  }
  toolchains = await startFileServer(TOOLCHAIN_DIR);
  mirror = await startFileServer(MIRROR);
});
afterAll(async () => {
  await toolchains.close();
  await mirror.close();
});

async function build(
  label: string,
  packages: string,
  over: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  const d = runnerDirs(label);
  workspaceWithFixtures(d);
  fs.cpSync(path.join(FIXTURES, 'hello-sys'), path.join(d.workspace, 'hello-sys'), {
    recursive: true,
  });
  const inputs = offlineInputs(d, {
    target: 'pi4',
    'working-directory': 'hello-sys',
    'toolchain-url': `${toolchains.url}/${multi.file}`,
    'toolchain-sha256': multi.sha256,
    'sysroot-packages': packages,
    'sysroot-mirror': mirror.url,
    'sysroot-keyring': '/usr/share/keyrings/debian-archive-keyring.gpg',
    'smoke-test': 'x',
    ...over,
  });
  return runAction(inputs, d, env);
}

/** The `package hint: N ms` debug line: how long the lookup took. */
const hintMs = (r: ActionRun): number =>
  Number(/::debug::package hint: (\d+) ms/.exec(r.stdout)?.[1] ?? NaN);

describe('a -sys crate’s missing library: the error names its Debian package', () => {
  test('openssl-sys without libssl-dev: cargo’s text, then libssl-dev by openssl.pc', async () => {
    const r = await build('hint-ssl', 'libsqlite3-dev libdbus-1-dev');
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    const [err] = r.errors as [string];
    expect(err).toMatch(
      /^cargo build failed:\nerror: failed to run custom build command for `openssl-sys /,
    );
    expect(err).toContain('Could not find directory of OpenSSL installation');
    expect(err.split('\n').at(-1)).toBe(
      "the sysroot lacks openssl.pc: add libssl-dev to 'sysroot-packages' (sysroot-packages: libsqlite3-dev libdbus-1-dev libssl-dev) (Debian archive bookworm arm64, package libssl-dev provides usr/lib/aarch64-linux-gnu/pkgconfig/openssl.pc)",
    );
    expect(mirror.hits.get(CONTENTS)).toBeGreaterThanOrEqual(1);
  });

  test('cargo test (command: test) fails the same way: the same hint', async () => {
    const r = await build('hint-test', 'libsqlite3-dev libdbus-1-dev', { command: 'test' });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    const [err] = r.errors as [string];
    expect(err).toMatch(
      /^cargo test failed:\nerror: failed to run custom build command for `openssl-sys /,
    );
    expect(err.split('\n').at(-1)).toMatch(
      /^the sysroot lacks openssl\.pc: add libssl-dev to 'sysroot-packages' /,
    );
  });

  test('a crate’s own pkg-config probe without libdbus-1-dev: dbus-1.pc → libdbus-1-dev', async () => {
    const r = await build('hint-dbus', 'libssl-dev libsqlite3-dev');
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    const [err] = r.errors as [string];
    expect(err).toContain("could not find system library 'dbus-1'");
    expect(err.split('\n').at(-1)).toBe(
      "the sysroot lacks dbus-1.pc: add libdbus-1-dev to 'sysroot-packages' (sysroot-packages: libssl-dev libsqlite3-dev libdbus-1-dev) (Debian archive bookworm arm64, package libdbus-1-dev provides usr/lib/aarch64-linux-gnu/pkgconfig/dbus-1.pc)",
    );
  });

  test('the linker, in a note the summary leaves out: -lsqlite3 → libsqlite3-dev', async () => {
    // Without libsqlite3.pc, libsqlite3-sys falls back to a bare -lsqlite3: ld fails at the link.
    const r = await build('hint-ld', 'libssl-dev libdbus-1-dev');
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    const [err] = r.errors as [string];
    expect(err).toMatch(/^cargo build failed:\nerror: linking with `[^`]+` failed/);
    expect(err.split('\n').at(-1)).toBe(
      "the sysroot lacks libsqlite3.so: add libsqlite3-dev to 'sysroot-packages' (sysroot-packages: libssl-dev libdbus-1-dev libsqlite3-dev) (Debian archive bookworm arm64, package libsqlite3-dev provides usr/lib/aarch64-linux-gnu/libsqlite3.so)",
    );
  });

  test('zig, pi2 bullseye: zig’s own linker text; no bullseye Contents on the mirror, so a guess by name', async () => {
    const zigDir = path.join(TEST_HOME, 'zig');
    const file = 'zig-linux-x86_64-0.11.0.tar.gz';
    const zig = await startFileServer(zigDir);
    try {
      const sha = fs.readFileSync(path.join(zigDir, `${file}.sha256`), 'utf8').split(/\s+/)[0];
      const r = await build(
        'hint-zig',
        'libssl-dev libdbus-1-dev',
        {
          target: 'pi2',
          'pi-os': 'bullseye',
          linker: 'zig',
          'toolchain-url': `${zig.url}/${file}`,
          'toolchain-sha256': sha as string,
        },
        // Warmed by setup-zig.sh for this target and floor (zig's glibc stubs).
        { ZIG_GLOBAL_CACHE_DIR: path.join(zigDir, 'cache-0.11.0') },
      );
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      const [err] = r.errors as [string];
      expect(r.stderr + r.stdout).toMatch(/unable to find Dynamic system library 'sqlite3'/);
      expect(err.split('\n').at(-1)).toBe(
        "the sysroot lacks libsqlite3.so: probably add libsqlite3-dev to 'sysroot-packages' (sysroot-packages: libssl-dev libdbus-1-dev libsqlite3-dev) (Raspbian archive (32-bit Raspberry Pi OS, ARMv6 hard-float) bullseye armhf: no Contents index to be sure; by name: libsqlite3-dev)",
      );
    } finally {
      await zig.close();
    }
  });

  test('the mirror stalls for the lookup: the error as cargo’s, within the bound', async () => {
    mirror.fault(CONTENTS, { kind: 'stall' });
    try {
      const r = await build('hint-stall', 'libsqlite3-dev libdbus-1-dev', {
        'download-timeout': '5',
      });
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      const [err] = r.errors as [string];
      expect(err).toContain('Could not find directory of OpenSSL installation');
      expect(err.split('\n').at(-1)).toBe('  openssl-sys = 0.9.80');
      expect(r.stdout).toMatch(/no package hint for the missing openssl\.pc: /);
      // Two attempts of a 5 s idle timeout, well inside the 60 s budget.
      expect(hintMs(r)).toBeLessThan(30_000);
    } finally {
      mirror.fault(CONTENTS, { kind: 'status', status: 200, times: 0 });
    }
  });
});
