import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startActionsService } from '../helpers/actions-service.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type RunnerDirs } from '../helpers/run-action.js';
import { FIXTURES, TEST_HOME } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// zig 0.11.0 (from scripts/setup-zig.sh) served over loopback as a user's `toolchain-url`,
// linking the fixture for the default Pi OS floor (bullseye, glibc 2.31) and for buster (2.28),
// which no toolchain on this machine could link before. Each binary runs under qemu with the
// board's CPU and Debian's cross libc.

const ZIG_DIR = path.join(TEST_HOME, 'zig');
const ZIG_FILE = 'zig-linux-x86_64-0.11.0.tar.gz';
/** Warmed by setup-zig.sh for exactly these targets and floors, so no test pays zig's first link. */
const ZIG_CACHE = path.join(ZIG_DIR, 'cache-0.11.0');
/**
 * zig 0.11 keys its cached builds by the absolute path of the lib/ sources it compiled: each test's
 * zig sits in its own tool cache, so without this every case would link cold against the warm
 * cache. setup-zig.sh's copy of the same lib/ (same release, same bytes) keeps the cache valid.
 */
const ZIG_LIB = path.join(ZIG_DIR, 'zig-linux-x86_64-0.11.0', 'lib');
const ZIG_ENV = { ZIG_GLOBAL_CACHE_DIR: ZIG_CACHE, ZIG_LIB_DIR: ZIG_LIB };

interface Binary {
  target: string;
  name: string;
  path: string;
  glibc: string | null;
  verified: string;
}

let server: FileServer;
let sha256: string;
beforeAll(async () => {
  const sumFile = path.join(ZIG_DIR, `${ZIG_FILE}.sha256`);
  if (!fs.existsSync(sumFile))
    throw new Error(`${sumFile} is missing: run 'sudo bash scripts/setup-test-env.sh' first`);
  sha256 = fs.readFileSync(sumFile, 'utf8').split(/\s+/)[0] as string;
  server = await startFileServer(ZIG_DIR);
});
afterAll(() => server.close());

function zigWorkspace(label: string): RunnerDirs {
  const d = runnerDirs(label);
  workspaceWithFixtures(d);
  fs.cpSync(path.join(FIXTURES, 'hello-zig'), path.join(d.workspace, 'hello-zig'), {
    recursive: true,
  });
  return d;
}

function zigInputs(d: RunnerDirs, over: Record<string, string>): Record<string, string> {
  return offlineInputs(d, {
    'pi-os': '',
    'working-directory': 'hello-zig',
    'toolchain-url': `${server.url}/${ZIG_FILE}`,
    'toolchain-sha256': sha256,
    linker: 'zig',
    'smoke-test': 'x',
    ...over,
  });
}

const QEMU: Record<string, [string, string]> = {
  'aarch64-unknown-linux-gnu': ['qemu-aarch64-static', '/usr/aarch64-linux-gnu'],
  'armv7-unknown-linux-gnueabihf': ['qemu-arm-static', '/usr/arm-linux-gnueabihf'],
};

function runOn(bin: Binary, cpu: string): string {
  const [qemu, libc] = QEMU[bin.target] as [string, string];
  return execFileSync(qemu, ['-cpu', cpu, '-L', libc, bin.path], {
    encoding: 'utf8',
    timeout: 60000,
  }).trim();
}

const LINE = (rust: string, c: string) =>
  `pi-hello-zig rust_arch=${rust} c_arch=${c} stat=ok threads=6749568000 unwind=true`;

/** Dotted-version compare for the asserted floors. */
const atMost = (v: string | null, floor: string) =>
  v !== null && v.split('.').map(Number)[1]! <= floor.split('.').map(Number)[1]!;

describe('zig as the linker (toolchain-url, linker: zig)', () => {
  let d: RunnerDirs;
  beforeAll(() => {
    d = zigWorkspace('zig');
  });

  test('pi4, pi2 at the default floor (bullseye): glibc <= 2.31, verified, run on the boards’ CPUs', async () => {
    const t0 = Date.now();
    const r = await runAction(zigInputs(d, { target: 'pi4, pi2' }), d, ZIG_ENV);
    const ms = Date.now() - t0;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(server.hits.get(`/${ZIG_FILE}`)).toBe(1);
    expect(r.stdout).toContain(
      'aarch64-unknown-linux-gnu: linker zig (linker input, from toolchain-url)',
    );
    expect(r.stdout).toContain('-target aarch64-linux-gnu.2.31,');
    expect(r.stdout).toContain('-target arm-linux-gnueabihf.2.31 -mcpu=cortex_a7');
    const bins = JSON.parse(r.outputs.binaries as string) as Binary[];
    expect(bins.map((b) => b.target).sort()).toEqual([
      'aarch64-unknown-linux-gnu',
      'armv7-unknown-linux-gnueabihf',
    ]);
    for (const b of bins) {
      expect(b.verified).toBe('passed');
      expect(atMost(b.glibc, '2.31')).toBe(true);
    }
    const a64 = bins.find((b) => b.target.startsWith('aarch64')) as Binary;
    const v7 = bins.find((b) => b.target.startsWith('armv7')) as Binary;
    expect(runOn(a64, 'cortex-a72')).toBe(LINE('aarch64', 'aarch64'));
    expect(runOn(v7, 'cortex-a7')).toBe(LINE('arm', 'armv7-a'));
    // The wrappers: private, outside the paths with spaces, and what cargo/cc-rs were given.
    const cc = r.exported.CC_armv7_unknown_linux_gnueabihf as string;
    expect(r.exported.CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER).toBe(cc);
    expect(cc).not.toMatch(/\s/);
    expect(fs.statSync(path.dirname(path.dirname(cc))).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(cc, 'utf8')).toMatch(
      /^#!\/bin\/sh\nexec '[^']+' '[^']+' '[^']+' "\$@"\n$/,
    );
    expect(r.exported.AR_aarch64_unknown_linux_gnu).toMatch(/\/ar$/);
    expect(r.exported.ZIG_GLOBAL_CACHE_DIR).toBe(ZIG_CACHE);
    expect(r.summary).toContain('`zig`');
    console.log(`zig pi4,pi2 cold tool cache, warm zig cache: ${(ms / 1000).toFixed(1)} s`);
  }, 900000);

  test('a second run takes zig from the tool cache, with no download', async () => {
    const t0 = Date.now();
    const r = await runAction(zigInputs(d, { target: 'pi4' }), d, ZIG_ENV);
    const ms = Date.now() - t0;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(server.hits.get(`/${ZIG_FILE}`)).toBe(1);
    const tc = JSON.parse(r.outputs.toolchains as string) as { origin: string; linker: string }[];
    expect(tc).toEqual([expect.objectContaining({ origin: 'tool-cache', linker: 'zig' })]);
    console.log(`zig pi4 warm: ${(ms / 1000).toFixed(1)} s`);
  }, 900000);
});

test('pi-os: buster links against glibc 2.28, and auto recognises a zig toolchain-url', async () => {
  const d = zigWorkspace('zig-buster');
  const r = await runAction(
    zigInputs(d, { target: 'pi4', 'pi-os': 'buster', linker: 'auto' }),
    d,
    ZIG_ENV,
  );
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('aarch64-unknown-linux-gnu: linker from toolchain-url');
  expect(r.stdout).toContain('-target aarch64-linux-gnu.2.28,');
  const [bin] = JSON.parse(r.outputs.binaries as string) as Binary[];
  expect(atMost(bin?.glibc ?? null, '2.28')).toBe(true);
  expect(bin?.verified).toBe('passed');
  expect(runOn(bin as Binary, 'cortex-a53')).toBe(LINE('aarch64', 'aarch64'));
}, 900000);

test('zig’s cache lives in the tool cache and goes through the Actions cache: cold, then warm on a fresh runner', async () => {
  const service = await startActionsService();
  try {
    // The summary's time of the Build stage (compile + link).
    const link = (r: { summary: string }) => Number(/\| Build \| ([\d.]+) \|/.exec(r.summary)?.[1]);
    const one = zigWorkspace('zig-cache1');
    const cold = await runAction(
      zigInputs(one, { target: 'pi4', cache: 'true' }),
      one,
      service.env('71'),
    );
    expect(cold.errors).toEqual([]);
    expect(cold.code).toBe(0);
    const zigKeys = service.cacheEntries.filter((e) =>
      e.key.startsWith('rust-rpi-cross-zigcache-'),
    );
    expect(zigKeys.map((e) => e.key)).toEqual([
      expect.stringMatching(/^rust-rpi-cross-zigcache-0\.11\.0-[0-9a-f]{16}-linux-x64$/),
    ]);
    const cacheDir = cold.exported.ZIG_GLOBAL_CACHE_DIR as string;
    expect(cacheDir.startsWith(one.toolCache)).toBe(true);
    expect(fs.readdirSync(cacheDir).length).toBeGreaterThan(0);

    // A fresh runner: empty tool cache and target dir, at the same paths (as on hosted
    // runners; @actions/cache keys its entries by path too).
    fs.rmSync(one.toolCache, { recursive: true, force: true });
    fs.mkdirSync(one.toolCache);
    fs.rmSync(path.join(one.workspace, 'hello-zig', 'target'), { recursive: true, force: true });
    const warm = await runAction(
      zigInputs(one, { target: 'pi4', cache: 'true' }),
      one,
      service.env('72'),
    );
    expect(warm.errors).toEqual([]);
    expect(warm.code).toBe(0);
    expect(warm.stdout).toContain(`restored from the Actions cache (${zigKeys[0]?.key})`);
    console.log(
      `Build stage with zig, pi4: cold zig cache ${link(cold)} s, restored ${link(warm)} s`,
    );
  } finally {
    await service.close();
  }
}, 900000);

test('pi-zero (ARMv6 glibc, -Zbuild-std): arm1176 code; the Pi OS runtime from the mirror is ARMv7 here, so the smoke run says why it is cortex-a7', async () => {
  // The mirror's raspbian/ is Debian's armhf (ARMv7): the action fetches and verifies the
  // runtime (libc6, libstdc++6 and their closure) and must see from the loader's attributes that
  // arm1176 cannot run it. With the real Raspbian archive (self-test workflow) it runs under arm1176.
  const mirror = await startFileServer(path.join(TEST_HOME, 'sysroot-mirror'));
  try {
    const d = zigWorkspace('zig-armv6');
    const r = await runAction(
      zigInputs(d, {
        target: 'pi-zero',
        'working-directory': 'hello',
        args: '-Zbuild-std=std,panic_unwind',
        'sysroot-mirror': mirror.url,
        'sysroot-keyring': '/usr/share/keyrings/debian-archive-keyring.gpg',
      }),
      d,
      {
        RUSTC_BOOTSTRAP: '1',
        CARGO_HOME: path.join(TEST_HOME, 'cargo-home-build-std'),
        ...ZIG_ENV,
      },
    );
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-target arm-linux-gnueabihf.2.31 -mcpu=arm1176jzf_s');
    // The default floor, bullseye: its libc6 (2.31), from the "Raspbian" suite of the mirror.
    expect(mirror.hits.get('/raspbian/dists/bullseye/InRelease')).toBeGreaterThan(0);
    const note =
      /smoke runs use qemu -cpu cortex-a7, not arm1176: the runtime libc6=2\.31-13\+deb11u\d+ from the Raspbian archive \(32-bit Raspberry Pi OS, ARMv6 hard-float\) bullseye is not ARMv6 code \(ld-linux-armhf\.so\.3 has ARMv7 code \(Tag_CPU_arch v7\)/;
    expect(r.stdout).toMatch(
      new RegExp(`::warning title=smoke run CPU::arm-unknown-linux-gnueabihf: ${note.source}`),
    );
    expect(r.stdout).toMatch(
      /the 'sysroot-mirror' must serve the Raspbian archive under raspbian\/ \(ARMv6\)/,
    );
    // One warning about the CPU, not also the host libc one that the runtime made moot.
    expect(r.stdout.match(/title=smoke run CPU/g)).toHaveLength(1);
    // The summary shows it through character references (`:` as `&#58;`).
    expect(r.summary).toMatch(
      /smoke runs use qemu -cpu cortex-a7, not arm1176&#58; the runtime libc6=2\.31-13\+deb11u\d+ from the Raspbian archive .* is not ARMv6 code/,
    );
    expect(r.stdout).toMatch(/smoke run pi-hello \(cortex-a7\): ok/);
    const runner = r.exported.CARGO_TARGET_ARM_UNKNOWN_LINUX_GNUEABIHF_RUNNER as string;
    const [, root] = runner.match(/ -cpu cortex-a7 -L (\S+)$/) ?? [];
    // qemu's root is the verified runtime from the mirror, not the host's /usr/arm-linux-gnueabihf.
    const libc = fs.realpathSync(path.join(root as string, 'lib/arm-linux-gnueabihf/libc.so.6'));
    expect(libc).toContain(path.join(d.toolCache, 'rpi-cross-sysroot'));
    const [bin] = JSON.parse(r.outputs.binaries as string) as Binary[];
    expect(bin?.verified).toBe('passed');
    expect(atMost(bin?.glibc ?? null, '2.31')).toBe(true);
    const toolchains = JSON.parse(r.outputs.toolchains as string) as { sysroot: string }[];
    // The runner's -L is a space-free link to the same directory.
    expect(fs.realpathSync(toolchains[0]?.sysroot as string)).toBe(fs.realpathSync(root as string));
    const out = execFileSync(
      'qemu-arm-static',
      ['-cpu', 'cortex-a7', '-L', root as string, bin?.path as string],
      {
        encoding: 'utf8',
        timeout: 60000,
      },
    ).trim();
    expect(out).toBe('pi-hello arch=arm fact10=3628800 unwind=true args=');
    // The check is what keeps arm1176 away from this libc: its ARMv7 loader dies there (SIGILL, or
    // SIGSEGV for bullseye's).
    expect(() =>
      execFileSync(
        'qemu-arm-static',
        ['-cpu', 'arm1176', '-L', root as string, bin?.path as string],
        {
          encoding: 'utf8',
          timeout: 60000,
          stdio: 'pipe',
        },
      ),
    ).toThrow(/uncaught target signal (4 \(Illegal instruction\)|11 \(Segmentation fault\))/);
  } finally {
    await mirror.close();
  }
}, 900000);

test('pi-zero:musl (-Zbuild-std): static, zig’s own musl, runs under the board’s arm1176', async () => {
  const d = zigWorkspace('zig-musl');
  const t0 = Date.now();
  const r = await runAction(
    zigInputs(d, {
      target: 'pi-zero:musl',
      'working-directory': 'hello',
      args: '-Zbuild-std=std,panic_unwind',
    }),
    d,
    {
      RUSTC_BOOTSTRAP: '1',
      CARGO_HOME: path.join(TEST_HOME, 'cargo-home-build-std'),
      ...ZIG_ENV,
    },
  );
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('-target arm-linux-musleabihf -mcpu=arm1176jzf_s');
  expect(r.exported.CARGO_TARGET_ARM_UNKNOWN_LINUX_MUSLEABIHF_RUSTFLAGS).toBe(
    '-C link-self-contained=no',
  );
  expect(r.exported.CARGO_TARGET_ARM_UNKNOWN_LINUX_MUSLEABIHF_RUNNER).toMatch(/ -cpu arm1176$/);
  expect(r.stdout).toMatch(/smoke run pi-hello \(arm1176\): ok/);
  const [bin] = JSON.parse(r.outputs.binaries as string) as Binary[];
  expect(bin?.verified).toBe('passed');
  expect(bin?.glibc).toBeNull();
  const out = execFileSync('qemu-arm-static', ['-cpu', 'arm1176', bin?.path as string], {
    encoding: 'utf8',
    timeout: 60000,
  }).trim();
  expect(out).toBe('pi-hello arch=arm fact10=3628800 unwind=true args=');
  console.log(`zig pi-zero:musl with -Zbuild-std: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 1200000);
