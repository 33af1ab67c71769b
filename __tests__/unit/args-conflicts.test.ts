import { describe, expect, test } from '@jest/globals';
import { argsConflict, checkArgs } from '../../src/cargo/conflicts.js';

describe('args naming an option the action owns', () => {
  test.each([
    [['--target', 'x86_64-unknown-linux-gnu'], '--target', 'target'],
    [['--target=x86_64-unknown-linux-gnu'], '--target', 'target'],
    [['--message-format', 'json'], '--message-format', null],
    [['--message-format=short'], '--message-format', null],
    [['--release'], '--release', 'profile'],
    [['-r'], '--release', 'profile'],
    [['-vr'], '--release', 'profile'],
    [['--profile', 'dev'], '--profile', 'profile'],
    [['--manifest-path', '../../x/Cargo.toml'], '--manifest-path', 'manifest-path'],
    [['-p', 'a'], '--package', 'package'],
    [['-pa'], '--package', 'package'],
    [['--package=a'], '--package', 'package'],
    [['--bin', 'x'], '--bin', 'bin'],
    [['-F', 'a'], '--features', 'features'],
    [['--features', 'a'], '--features', 'features'],
    [['--all-features'], '--all-features', 'all-features'],
    [['--no-default-features'], '--no-default-features', 'no-default-features'],
    [['--locked'], '--locked', 'locked'],
    [['--config', 'x.toml', '-v', '--target', 'y'], '--target', 'target'],
  ])('%j', (args, option, input) => {
    expect(argsConflict(args)).toMatchObject({ option, input });
  });
  test.each([
    [[]],
    [['--config', 'x.toml', '-v', '-j4', '--frozen', '--target-dir', 'out']],
    [['-Zbuild-std', '--timings']],
    [['-Zunstable-options-r']],
    [['--bins', '--workspace', '--exclude', 'x', '--examples']],
    // After `--` the words go to the test binary.
    [['--', '--release', '--target', 'x']],
  ])('%j is left alone', (args) => {
    expect(argsConflict(args)).toBeNull();
  });
  test('the refusal names args, the option and the input to use', () => {
    expect(() => checkArgs(['--target', 'x86_64-unknown-linux-gnu'])).toThrow(
      /^input 'args': must not contain --target: .*; use the 'target' input instead$/,
    );
    expect(() => checkArgs(['-vr'])).toThrow(/--release \(as '-vr'\).*use the 'profile' input/);
    expect(() => checkArgs(['--message-format=json'])).toThrow(/remove it/);
  });
});
