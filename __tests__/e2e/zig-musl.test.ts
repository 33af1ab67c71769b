import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type RunnerDirs } from '../helpers/run-action.js';
import { FIXTURES, RUST_TOOLCHAIN, TEST_HOME } from '../helpers/test-env.js';
import { offlineInputs } from '../helpers/workspace.js';

// The musl twins of pi4 and pi2 (aarch64-unknown-linux-musl, armv7-unknown-linux-musleabihf),
// linked by zig 0.11.0 served over loopback as a `toolchain-url`, std built from Debian's
// sources (-Zbuild-std): a pure-Rust crate, a crate whose C comes through the cc crate, and C++
// through the cc crate (aarch64 only: zig's first libc++ build costs minutes per target). Every
// binary must be static, pass verification and print its line under qemu with the board's CPU.

const ZIG_DIR = path.join(TEST_HOME, 'zig');
const ZIG_FILE = 'zig-linux-x86_64-0.11.0.tar.gz';
/** Warmed by setup-zig.sh (musl libc.a, crt, libunwind and libc++ per target and CPU). */
const ZIG_CACHE = path.join(ZIG_DIR, 'cache-0.11.0');
/**
 * zig keys its cache by the absolute paths of its lib/ sources, and the action's zig lives in
 * each test's own tool cache: pointing it at setup-zig.sh's copy of the same lib/ (same bytes)
 * is what lets the warm cache hit instead of rebuilding musl's libc.a for minutes.
 */
const zigLib = (version: string) => path.join(ZIG_DIR, `zig-linux-x86_64-${version}`, 'lib');
/** std's own dependencies, vendored beside Debian's std sources (what -Zbuild-std compiles). */
const STD_VENDOR = path.join(
  TEST_HOME,
  'rust',
  'lib',
  'rustlib',
  'src',
  'rust',
  'library',
  'vendor',
);
/** Debian's librust-cc-dev: the cc crate the C fixtures build with. */
const DEBIAN_REGISTRY = '/usr/share/cargo/registry';

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

/**
 * -Zbuild-std resolves std's dependencies through crates.io too, so one directory source must
 * hold both them and the cc crate: a registry of links to each, and a cargo config naming it.
 */
function buildStdRegistry(d: RunnerDirs): string {
  const reg = path.join(d.root, 'registry');
  fs.mkdirSync(reg);
  for (const c of fs.readdirSync(STD_VENDOR))
    fs.symlinkSync(path.join(STD_VENDOR, c), path.join(reg, c));
  const cc = fs.readdirSync(DEBIAN_REGISTRY).filter((c) => /^cc-1\.\d+\.\d+$/.test(c));
  if (cc.length === 0)
    throw new Error(`no cc crate in ${DEBIAN_REGISTRY}: apt-get install librust-cc-dev`);
  for (const c of cc) fs.symlinkSync(path.join(DEBIAN_REGISTRY, c), path.join(reg, c));
  const config = path.join(d.workspace, 'build-std-registry.toml');
  fs.writeFileSync(
    config,
    [
      '[source.crates-io]',
      'replace-with = "build-std"',
      '[source.build-std]',
      `directory = ${JSON.stringify(reg)}`,
      '[net]',
      'offline = true',
      '',
    ].join('\n'),
  );
  return config;
}

/**
 * One cargo workspace: std is compiled once per target for all its crates, and once for all
 * the runs in it (space-free, so the zig wrappers keep one path and cargo's fingerprints hold).
 */
function twinsWorkspace(label: string): { d: RunnerDirs; config: string } {
  const d = runnerDirs(label, false);
  const root = path.join(d.workspace, 'twins');
  for (const f of ['hello', 'hello-zig', 'hello-zig-cxx'])
    fs.cpSync(path.join(FIXTURES, f), path.join(root, f), { recursive: true });
  for (const f of ['hello', 'hello-zig', 'hello-zig-cxx'])
    fs.rmSync(path.join(root, f, 'Cargo.lock'), { force: true });
  // C++ is built only when asked for (`package`): its first link builds libc++ per target.
  fs.writeFileSync(
    path.join(root, 'Cargo.toml'),
    [
      '[workspace]',
      'resolver = "2"',
      'members = ["hello", "hello-zig", "hello-zig-cxx"]',
      'default-members = ["hello", "hello-zig"]',
      '',
    ].join('\n'),
  );
  return { d, config: buildStdRegistry(d) };
}

function muslInputs(
  d: RunnerDirs,
  config: string,
  over: Record<string, string>,
): Record<string, string> {
  return offlineInputs(d, {
    'pi-os': '',
    'working-directory': 'twins',
    'toolchain-url': `${server.url}/${ZIG_FILE}`,
    'toolchain-sha256': sha256,
    linker: 'zig',
    'smoke-test': 'x',
    args: `-Zbuild-std=std,panic_unwind --config '${config}'`,
    ...over,
  });
}

const BUILD_STD_ENV = {
  RUSTC_BOOTSTRAP: '1',
  CARGO_HOME: path.join(TEST_HOME, 'cargo-home-build-std'),
  ZIG_GLOBAL_CACHE_DIR: ZIG_CACHE,
  ZIG_LIB_DIR: zigLib('0.11.0'),
};

const QEMU: Record<string, [string, string]> = {
  'aarch64-unknown-linux-musl': ['qemu-aarch64-static', 'cortex-a72'],
  'armv7-unknown-linux-musleabihf': ['qemu-arm-static', 'cortex-a7'],
};

/** Static binaries: qemu with the board's CPU and no -L, so nothing of the host's libc helps. */
function runOnBoard(bin: Binary): string {
  const [qemu, cpu] = QEMU[bin.target] as [string, string];
  return execFileSync(qemu, ['-cpu', cpu, bin.path], { encoding: 'utf8', timeout: 60000 }).trim();
}

/** The ELF's program headers as readelf prints them (an independent reader from the action's). */
function programHeaders(file: string): string {
  return execFileSync('readelf', ['-lW', file], { encoding: 'utf8' });
}

function find(bins: Binary[], target: string, name: string): Binary {
  const b = bins.find((x) => x.target === target && x.name === name);
  if (!b) throw new Error(`no ${name} for ${target} in ${JSON.stringify(bins)}`);
  return b;
}

describe('musl twins of pi4 and pi2 linked by zig (-Zbuild-std)', () => {
  let d: RunnerDirs;
  let config: string;
  beforeAll(() => {
    ({ d, config } = twinsWorkspace('zig-musl-twins'));
  });

  test('pure Rust and C through the cc crate: static, verified, run under cortex-a72 and cortex-a7', async () => {
    const t0 = Date.now();
    const r = await runAction(
      muslInputs(d, config, { target: 'pi4:musl, pi2:musl' }),
      d,
      BUILD_STD_ENV,
    );
    const secs = (Date.now() - t0) / 1000;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-target aarch64-linux-musl,');
    expect(r.stdout).toContain('-target arm-linux-musleabihf -mcpu=cortex_a7');
    for (const t of ['AARCH64_UNKNOWN_LINUX_MUSL', 'ARMV7_UNKNOWN_LINUX_MUSLEABIHF']) {
      expect(r.exported[`CARGO_TARGET_${t}_RUSTFLAGS`]).toBe('-C link-self-contained=no');
    }
    // The cc crate compiled with zig's wrapper, not a host or gcc compiler.
    expect(r.exported.CC_armv7_unknown_linux_musleabihf).toBe(
      r.exported.CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER,
    );
    expect(r.exported.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUNNER).toMatch(/ -cpu cortex-a72$/);
    expect(r.exported.CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_RUNNER).toMatch(
      / -cpu cortex-a7$/,
    );
    for (const name of ['pi-hello', 'pi-hello-zig']) {
      expect(r.stdout).toMatch(new RegExp(`smoke run ${name} \\(cortex-a72\\): ok`));
      expect(r.stdout).toMatch(new RegExp(`smoke run ${name} \\(cortex-a7\\): ok`));
    }
    const bins = JSON.parse(r.outputs.binaries as string) as Binary[];
    expect(bins.map((b) => `${b.target}/${b.name}`).sort()).toEqual([
      'aarch64-unknown-linux-musl/pi-hello',
      'aarch64-unknown-linux-musl/pi-hello-zig',
      'armv7-unknown-linux-musleabihf/pi-hello',
      'armv7-unknown-linux-musleabihf/pi-hello-zig',
    ]);
    for (const b of bins) {
      expect(b.verified).toBe('passed');
      expect(b.glibc).toBeNull();
      // Static: no interpreter and no dynamic section, whatever the action's own reader says.
      const ph = programHeaders(b.path);
      expect(ph).not.toContain('INTERP');
      expect(ph).not.toContain('DYNAMIC');
    }
    const a64 = 'aarch64-unknown-linux-musl';
    const v7 = 'armv7-unknown-linux-musleabihf';
    expect(runOnBoard(find(bins, a64, 'pi-hello'))).toBe(
      'pi-hello arch=aarch64 fact10=3628800 unwind=true args=',
    );
    expect(runOnBoard(find(bins, v7, 'pi-hello'))).toBe(
      'pi-hello arch=arm fact10=3628800 unwind=true args=',
    );
    const line = (rust: string, c: string) =>
      `pi-hello-zig rust_arch=${rust} c_arch=${c} stat=ok threads=6749568000 unwind=true`;
    expect(runOnBoard(find(bins, a64, 'pi-hello-zig'))).toBe(line('aarch64', 'aarch64'));
    expect(runOnBoard(find(bins, v7, 'pi-hello-zig'))).toBe(line('arm', 'armv7-a'));
    console.log(`zig musl twins (pi4:musl, pi2:musl), pure Rust + cc: ${secs.toFixed(1)} s`);
  }, 1500000);

  test('C++ through the cc crate (pi4:musl): zig’s libc++ linked statically, exceptions work', async () => {
    const t0 = Date.now();
    const r = await runAction(
      muslInputs(d, config, { target: 'pi4:musl', package: 'pi-hello-zig-cxx' }),
      d,
      BUILD_STD_ENV,
    );
    const secs = (Date.now() - t0) / 1000;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.exported.CXX_aarch64_unknown_linux_musl).toMatch(/c\+\+$/);
    expect(r.stdout).toMatch(/smoke run pi-hello-zig-cxx \(cortex-a72\): ok/);
    const bins = JSON.parse(r.outputs.binaries as string) as Binary[];
    const b = find(bins, 'aarch64-unknown-linux-musl', 'pi-hello-zig-cxx');
    expect(b.verified).toBe('passed');
    expect(programHeaders(b.path)).not.toContain('INTERP');
    expect(runOnBoard(b)).toBe('pi-hello-zig-cxx arch=aarch64 cxx=18 fact10=3628800');
    console.log(`zig musl C++ (pi4:musl): ${secs.toFixed(1)} s`);
  }, 1500000);
});

// The newer zig the rule table also names (0.14 rejects -e<sym> and -Wp, that 0.11 took, and
// its default arm CPU is ARMv7-A): the same wrappers, rules chosen by `zig version`.
const ZIG14_FILE = 'zig-linux-x86_64-0.14.0-dev.2456.tar.gz';
const ZIG14_CACHE = path.join(ZIG_DIR, 'cache-0.14.0-dev.2456');

test('zig 0.14.0-dev links pi2 (C through cc, default bullseye floor): glibc <= 2.31, ARMv7 C, runs', async () => {
  const sum = fs.readFileSync(path.join(ZIG_DIR, `${ZIG14_FILE}.sha256`), 'utf8').split(/\s+/)[0];
  const d = runnerDirs('zig-014');
  fs.cpSync(path.join(FIXTURES, 'hello-zig'), path.join(d.workspace, 'hello-zig'), {
    recursive: true,
  });
  fs.copyFileSync(
    path.join(FIXTURES, 'debian-registry.toml'),
    path.join(d.workspace, 'debian-registry.toml'),
  );
  fs.mkdirSync(ZIG14_CACHE, { recursive: true });
  const t0 = Date.now();
  const r = await runAction(
    offlineInputs(d, {
      'pi-os': '',
      target: 'pi2',
      'working-directory': 'hello-zig',
      'toolchain-url': `${server.url}/${ZIG14_FILE}`,
      'toolchain-sha256': sum as string,
      linker: 'zig',
      'smoke-test': 'x',
    }),
    d,
    { ZIG_GLOBAL_CACHE_DIR: ZIG14_CACHE, ZIG_LIB_DIR: zigLib('0.14.0-dev.2456') },
  );
  const secs = (Date.now() - t0) / 1000;
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(
    'armv7-unknown-linux-gnueabihf: zig 0.14.0-dev.2456+a68119f8f -target arm-linux-gnueabihf.2.31 -mcpu=cortex_a7',
  );
  expect(r.stdout).toMatch(/smoke run pi-hello-zig \(cortex-a7\): ok/);
  const [bin] = JSON.parse(r.outputs.binaries as string) as Binary[];
  expect(bin?.verified).toBe('passed');
  expect(Number(bin?.glibc?.split('.')[1])).toBeLessThanOrEqual(31);
  const out = execFileSync(
    'qemu-arm-static',
    ['-cpu', 'cortex-a7', '-L', '/usr/arm-linux-gnueabihf', bin?.path as string],
    { encoding: 'utf8', timeout: 60000 },
  ).trim();
  expect(out).toBe(
    'pi-hello-zig rust_arch=arm c_arch=armv7-a stat=ok threads=6749568000 unwind=true',
  );
  console.log(`zig 0.14.0-dev pi2: ${secs.toFixed(1)} s`);
}, 1200000);

// cargo fingerprints every unit by its linker's path: wrappers at a new random path per run
// made each run rebuild the whole crate graph (std too, under -Zbuild-std).
test('a second zig run on the same runner reuses the wrappers’ paths, so cargo rebuilds nothing', async () => {
  const d = runnerDirs('zig-rerun', false);
  fs.cpSync(path.join(FIXTURES, 'hello'), path.join(d.workspace, 'hello'), { recursive: true });
  const inputs = {
    'rust-toolchain': RUST_TOOLCHAIN,
    'pi-os': '',
    cache: 'false',
    target: 'pi4',
    'working-directory': 'hello',
    'toolchain-url': `${server.url}/${ZIG_FILE}`,
    'toolchain-sha256': sha256,
    linker: 'zig',
  };
  const env = { ZIG_GLOBAL_CACHE_DIR: ZIG_CACHE, ZIG_LIB_DIR: zigLib('0.11.0') };
  const first = await runAction(inputs, d, env);
  expect(first.errors).toEqual([]);
  expect(first.code).toBe(0);
  expect(`${first.stdout}${first.stderr}`).toMatch(/Compiling pi-hello/);
  const second = await runAction(inputs, d, env);
  expect(second.errors).toEqual([]);
  expect(second.code).toBe(0);
  const key = 'CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER';
  expect(second.exported[key]).toBe(first.exported[key]);
  expect(second.exported.CC_aarch64_unknown_linux_gnu).toBe(
    first.exported.CC_aarch64_unknown_linux_gnu,
  );
  expect(second.exported[key]?.startsWith(d.toolCache)).toBe(true);
  // Still owner-only, as a fresh private directory was.
  expect(fs.statSync(path.dirname(path.dirname(second.exported[key] as string))).mode & 0o777).toBe(
    0o700,
  );
  expect(`${second.stdout}${second.stderr}`).not.toMatch(/Compiling pi-hello/);
}, 600000);
