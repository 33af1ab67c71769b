import { describe, expect, test } from '@jest/globals';
import { cargoEnv, howRun, howRunWords, runnerCommand } from '../../src/cargo/env.js';
import { collectBinaries, parsePackageId } from '../../src/cargo/messages.js';
import { cargoArgs } from '../../src/cargo/build.js';
import { resolveTargets } from '../../src/targets/resolve.js';
import { chooseLinker, lockfileBuildsC } from '../../src/toolchain/prepare.js';
import { targetSpec } from '../../src/targets/table.js';

const [pi4] = resolveTargets('pi4');
const [zeroMusl] = resolveTargets('pi-zero:musl');
const layout = {
  root: '/t c',
  binPrefix: '/t c/bin/aarch64-linux-gnu-',
  sysroot: '/t c/aarch64-linux-gnu',
};

describe('cargoEnv', () => {
  test('gcc targets: linker is the gcc driver, cc-rs variables, pkg-config per target, runner', () => {
    const env = cargoEnv(
      pi4!,
      { kind: 'gcc', layout, tools: { cxx: true, ranlib: true, strip: true } },
      { kind: 'qemu', qemu: '/r/qemu-aarch64', sysroot: '/r/sysroot-a' },
    );
    expect(env).toEqual({
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER: '/t c/bin/aarch64-linux-gnu-gcc',
      CC_aarch64_unknown_linux_gnu: '/t c/bin/aarch64-linux-gnu-gcc',
      CXX_aarch64_unknown_linux_gnu: '/t c/bin/aarch64-linux-gnu-g++',
      AR_aarch64_unknown_linux_gnu: '/t c/bin/aarch64-linux-gnu-ar',
      RANLIB_aarch64_unknown_linux_gnu: '/t c/bin/aarch64-linux-gnu-ranlib',
      PKG_CONFIG_SYSROOT_DIR_aarch64_unknown_linux_gnu: '/t c/aarch64-linux-gnu',
      PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu:
        '/t c/aarch64-linux-gnu/usr/lib/pkgconfig:/t c/aarch64-linux-gnu/usr/share/pkgconfig:/t c/aarch64-linux-gnu/usr/lib/aarch64-linux-gnu/pkgconfig',
      PKG_CONFIG_ALLOW_CROSS_aarch64_unknown_linux_gnu: '1',
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER:
        '/r/qemu-aarch64 -cpu cortex-a72 -L /r/sysroot-a',
    });
    for (const v of Object.values(env)) expect(v).not.toMatch(/(^|\/)[a-z0-9_-]*-ld$/);
  });
  test('a toolchain without g++ sets no CXX', () => {
    const env = cargoEnv(
      pi4!,
      { kind: 'gcc', layout, tools: { cxx: false, ranlib: false, strip: false } },
      null,
    );
    expect(
      Object.keys(env).filter(
        (k) => k.startsWith('CXX_') || k.startsWith('RANLIB_') || k.includes('RUNNER'),
      ),
    ).toEqual([]);
  });
  test('musl with rust-lld: no C compiler, static runner without -L', () => {
    const env = cargoEnv(
      zeroMusl!,
      { kind: 'rust-lld' },
      { kind: 'qemu', qemu: '/r/qemu-arm', sysroot: null },
    );
    expect(env).toEqual({
      CARGO_TARGET_ARM_UNKNOWN_LINUX_MUSLEABIHF_LINKER: 'rust-lld',
      CARGO_TARGET_ARM_UNKNOWN_LINUX_MUSLEABIHF_RUNNER: '/r/qemu-arm -cpu arm1176',
    });
  });
});

describe('a native runner (arm64 Linux without qemu-aarch64)', () => {
  const native = { kind: 'native', note: 'runs natively' } as const;
  test('exports no RUNNER: cargo executes host-compatible binaries itself', () => {
    const gcc = { kind: 'gcc', layout, tools: { cxx: true, ranlib: true, strip: true } } as const;
    const env = cargoEnv(pi4!, gcc, native);
    expect(Object.keys(env).filter((k) => k.includes('RUNNER'))).toEqual([]);
    expect(env).toEqual(cargoEnv(pi4!, gcc, null));
  });
  test('the command before the binary is empty, and the run is reported as native', () => {
    expect(runnerCommand(pi4!, native)).toEqual([]);
    expect(howRun(pi4!, native)).toEqual({ how: 'native', note: 'runs natively' });
    expect(howRunWords(howRun(pi4!, native))).toBe('natively on this host');
  });
  test('a qemu runner is reported with the CPU it emulates (its own, else the board’s)', () => {
    const q = { kind: 'qemu', qemu: '/r/qemu-aarch64', sysroot: null } as const;
    expect(howRun(pi4!, q)).toEqual({ how: 'qemu', cpu: 'cortex-a72' });
    expect(howRun(pi4!, { ...q, cpu: 'cortex-a53' })).toEqual({ how: 'qemu', cpu: 'cortex-a53' });
    expect(howRunWords(howRun(pi4!, q))).toBe('under qemu -cpu cortex-a72');
  });
});

describe('linker choice', () => {
  test('auto: gcc for gnu, rust-lld for pure-Rust musl, gcc when C is compiled', () => {
    expect(chooseLinker('auto', targetSpec('aarch64-unknown-linux-gnu'), false)).toBe('gcc');
    expect(chooseLinker('auto', targetSpec('aarch64-unknown-linux-musl'), false)).toBe('rust-lld');
    expect(chooseLinker('auto', targetSpec('aarch64-unknown-linux-musl'), true)).toBe('gcc');
    expect(chooseLinker('gcc', targetSpec('aarch64-unknown-linux-musl'), false)).toBe('gcc');
  });
  test('Cargo.lock with cc or cmake means C code', () => {
    expect(lockfileBuildsC('version = 4\n\n[[package]]\nname = "cc"\nversion = "1.0.73"\n')).toBe(
      true,
    );
    expect(lockfileBuildsC('[[package]]\nname = "cmake"\n')).toBe(true);
    expect(lockfileBuildsC('[[package]]\nname = "ccx"\n[[package]]\nname = "pi-hello"\n')).toBe(
      false,
    );
  });
});

describe('cargo arguments and messages', () => {
  test.each([
    ['path+file:///w/my%20app#my-app@0.1.0', 'my-app', '0.1.0'],
    ['path+file:///w/pi-hello#0.2.0', 'pi-hello', '0.2.0'],
    ['registry+https://github.com/rust-lang/crates.io-index#cc@1.0.73', 'cc', '1.0.73'],
    ['pi-hello 0.1.0 (path+file:///w/pi-hello)', 'pi-hello', '0.1.0'],
  ])('package id %s', (id, pkg, version) => {
    expect(parsePackageId(id)).toEqual({ package: pkg, version });
  });
  const base = {
    rustToolchain: 'stable',
    manifestPath: null,
    packages: ['app'],
    bins: ['cli'],
    features: ['a', 'b'],
    allFeatures: false,
    noDefaultFeatures: true,
    profile: 'release',
    locked: true,
    args: ['-v'],
  };
  test('one invocation for every target', () => {
    expect(
      cargoArgs('build', base, ['aarch64-unknown-linux-gnu', 'arm-unknown-linux-gnueabihf']),
    ).toEqual([
      '+stable',
      'build',
      '--target',
      'aarch64-unknown-linux-gnu',
      '--target',
      'arm-unknown-linux-gnueabihf',
      '--profile',
      'release',
      '--package',
      'app',
      '--bin',
      'cli',
      '--features',
      'a,b',
      '--no-default-features',
      '--locked',
      '--message-format=json-render-diagnostics',
      '-v',
    ]);
    expect(
      cargoArgs('test', { ...base, rustToolchain: null }, ['aarch64-unknown-linux-gnu']),
    ).not.toContain('--bin');
  });
  test('binaries come from compiler-artifact messages, attributed by their target dir', () => {
    const msg = (o: object) =>
      JSON.stringify({
        reason: 'compiler-artifact',
        package_id: 'path+file:///w#app@1.2.3',
        profile: { test: false },
        ...o,
      });
    const lines = [
      msg({ target: { name: 'build-script-build', kind: ['custom-build'] }, executable: null }),
      msg({
        target: { name: 'app', kind: ['bin'] },
        executable: '/w/target/aarch64-unknown-linux-gnu/release/app',
      }),
      msg({
        target: { name: 'app', kind: ['bin'] },
        executable: '/w/target/armv7-unknown-linux-gnueabihf/release/app',
      }),
      msg({ target: { name: 'lib', kind: ['lib'] }, executable: null }),
      JSON.stringify({ reason: 'build-finished', success: true }),
      'not json',
    ];
    // Reported armv7 first, listed in the order the targets were asked for.
    const [build, a64, v7, ...rest] = lines;
    expect(
      collectBinaries([build, v7, a64, ...rest] as string[], [
        'aarch64-unknown-linux-gnu',
        'armv7-unknown-linux-gnueabihf',
      ]),
    ).toEqual([
      {
        target: 'aarch64-unknown-linux-gnu',
        name: 'app',
        path: '/w/target/aarch64-unknown-linux-gnu/release/app',
        package: 'app',
        version: '1.2.3',
      },
      {
        target: 'armv7-unknown-linux-gnueabihf',
        name: 'app',
        path: '/w/target/armv7-unknown-linux-gnueabihf/release/app',
        package: 'app',
        version: '1.2.3',
      },
    ]);
  });
});
