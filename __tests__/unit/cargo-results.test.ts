import { describe, expect, test } from '@jest/globals';
import { withBuildScriptOutput } from '../../src/cargo/build.js';
import { collectBinaries, tripleOf } from '../../src/cargo/messages.js';
import { skippedBins, skippedMessage, type Metadata } from '../../src/cargo/required-features.js';

const A64 = 'aarch64-unknown-linux-gnu';
const V7 = 'armv7-unknown-linux-gnueabihf';

const artifact = (pkg: string, name: string, exe: string) =>
  JSON.stringify({
    reason: 'compiler-artifact',
    package_id: `path+file:///w/${pkg}#${pkg}@0.1.0`,
    target: { name, kind: ['bin'] },
    profile: { test: false },
    executable: exe,
  });

describe('the target of a binary, from the end of its path', () => {
  test('a folder above the target dir named like another triple does not count', () => {
    const exe = `/w/${V7}/app/target/${A64}/release/app`;
    expect(tripleOf(exe, [V7, A64])).toBe(A64);
    expect(collectBinaries([artifact('app', 'app', exe)], [V7, A64])).toMatchObject([
      { target: A64, path: exe },
    ]);
  });
  test('a path without <triple>/<profile>/<name> at its end is no binary of ours', () => {
    expect(tripleOf(`/w/target/${A64}/release/deps/x/app`, [A64])).toBeNull();
    expect(tripleOf(`/w/target/release/app`, [A64])).toBeNull();
  });
});

describe('two packages with a bin of the same name', () => {
  test('is refused naming both packages and the package/bin inputs', () => {
    const exe = `/w/target/${A64}/release/app`;
    const run = () =>
      collectBinaries([artifact('pkg-a', 'app', exe), artifact('pkg-b', 'app', exe)], [A64]);
    expect(run).toThrow(/packages 'pkg-a' and 'pkg-b' both have a bin named 'app'/);
    expect(run).toThrow(/'package' input .*'bin'/);
  });
  test('the same package reported twice is one binary', () => {
    const exe = `/w/target/${A64}/release/app`;
    const lines = [artifact('a', 'app', exe), artifact('a', 'app', exe)];
    expect(collectBinaries(lines, [A64])).toHaveLength(1);
  });
});

describe('bins left out for their required-features', () => {
  const meta: Metadata = {
    workspace_root: '/w',
    workspace_members: ['id-app', 'id-lib'],
    workspace_default_members: ['id-app'],
    packages: [
      {
        name: 'app',
        id: 'id-app',
        manifest_path: '/w/Cargo.toml',
        targets: [
          { name: 'app', kind: ['bin'] },
          { name: 'extra', kind: ['bin'], 'required-features': ['extra', 'fast'] },
        ],
      },
      {
        name: 'lib',
        id: 'id-lib',
        manifest_path: '/w/lib/Cargo.toml',
        targets: [{ name: 'tool', kind: ['bin'], 'required-features': ['cli'] }],
      },
    ],
  };
  const sel = { packages: [], bins: [], workspace: false, manifest: '/w/Cargo.toml' };
  const built = [{ target: A64, name: 'app', path: '/x', package: 'app', version: '0.1.0' }];
  test('of the packages cargo built, with the features that would build them', () => {
    expect(skippedBins(meta, sel, built)).toEqual([
      { package: 'app', bin: 'extra', features: ['extra', 'fast'] },
    ]);
    expect(skippedBins(meta, { ...sel, workspace: true }, built)).toHaveLength(2);
    expect(skippedBins(meta, { ...sel, manifest: '/w/lib/Cargo.toml' }, [])).toEqual([
      { package: 'lib', bin: 'tool', features: ['cli'] },
    ]);
    expect(skippedBins(meta, { ...sel, bins: ['app'] }, built)).toEqual([]);
  });
  test('the message says what to write', () => {
    expect(skippedMessage([{ package: 'app', bin: 'extra', features: ['extra', 'fast'] }])).toBe(
      "bin 'extra' of package 'app' needs the features 'extra', 'fast' (its required-features), not enabled, so cargo did not build it; add 'features: extra, fast' (or 'all-features: true') to build it",
    );
  });
});

describe('a failing build script', () => {
  const stderr = [
    '   Compiling pi-hello v0.1.0 (/w)',
    'error: failed to run custom build command for `pi-hello v0.1.0 (/w)`',
    'note: To improve backtraces for build dependencies, set the …',
    '',
    'Caused by:',
    "  process didn't exit successfully: `/w/target/debug/build/x/build-script-build` (exit status: 101)",
    '  --- stdout',
    '  cargo:warning=note',
    '',
    '  --- stderr',
    "  thread 'main' (1) panicked at build.rs:4:5:",
    '  libfoo was not found: install libfoo-dev',
    '  stack backtrace:',
    '     0: __rustc::rust_begin_unwind',
    '  note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace',
  ];
  test("carries the script's stderr, not only cargo's one line", () => {
    expect(withBuildScriptOutput(stderr[1] as string, stderr)).toBe(
      [
        stderr[1],
        'build script stderr:',
        "  thread 'main' (1) panicked at build.rs:4:5:",
        '  libfoo was not found: install libfoo-dev',
      ].join('\n'),
    );
  });
  test('other errors stay as they are', () => {
    expect(withBuildScriptOutput('error: could not compile `x`', stderr)).toBe(
      'error: could not compile `x`',
    );
  });
});
