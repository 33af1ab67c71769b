import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { INPUT_NAMES, parseInputs, type InputName } from '../../src/inputs.js';

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'inputs ws '));
fs.mkdirSync(path.join(ws, 'crate dir'));
fs.writeFileSync(path.join(ws, 'crate dir', 'Cargo.toml'), '[package]\nname="x"\n');

function parse(values: Partial<Record<InputName, string>>) {
  return parseInputs((n) => values[n] ?? '', ws);
}

function inputError(values: Partial<Record<InputName, string>>): InputError {
  try {
    parse(values);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseInputs', () => {
  test('defaults', () => {
    const i = parse({ target: 'pi4' });
    expect(i.piOs).toBe('bullseye');
    expect(i.glibcFloor).toBe('2.31');
    expect(i.piOsExplicit).toBe(false);
    expect(i.linker).toBe('auto');
    expect(i.profile).toBe('release');
    expect(i.command).toBe('build');
    expect(i.workingDirectory).toBe(ws);
    expect(i.customToolchain).toBeNull();
    expect(i.cache).toBe(true);
    expect(i.smokeTest).toBeNull();
    expect(i.smokeTestTimeoutMs).toBe(30000);
  });
  test('values are parsed, paths resolved, lists split', () => {
    const i = parse({
      target: 'pi-zero pi4',
      'pi-os': 'buster',
      'working-directory': 'crate dir',
      'manifest-path': 'Cargo.toml',
      features: 'a, b\nc',
      args: '--config "x y"',
      locked: 'True',
      'toolchain-url': 'https://x.example/t.tar.xz',
      'toolchain-sha256': 'A'.repeat(64),
      'smoke-test': '--version',
      'smoke-test-timeout': '5',
      'retention-days': '7',
    });
    expect(i.targets).toHaveLength(2);
    expect(i.glibcFloor).toBe('2.28');
    expect(i.manifestPath).toBe(path.join(ws, 'crate dir', 'Cargo.toml'));
    expect(i.features).toEqual(['a', 'b', 'c']);
    expect(i.args).toEqual(['--config', 'x y']);
    expect(i.locked).toBe(true);
    expect(i.customToolchain).toEqual({
      url: 'https://x.example/t.tar.xz',
      sha256: 'a'.repeat(64),
      prefix: null,
      sysroot: null,
    });
    expect(i.smokeTest).toEqual(['--version']);
    expect(i.smokeTestTimeoutMs).toBe(5000);
    expect(i.retentionDays).toBe(7);
  });
  test.each<[Partial<Record<InputName, string>>, string, RegExp]>([
    [
      { target: 'pi4', 'pi-os': 'bulseye' },
      'pi-os',
      /'bulseye' is not one of 'buster', 'bullseye'/,
    ],
    [{ target: 'pi4:musl', 'pi-os': 'bookworm' }, 'pi-os', /every target is musl/],
    [{ target: 'pi4', linker: 'rust-lld' }, 'linker', /links only musl targets/],
    [{ target: 'pi4', linker: 'lld' }, 'linker', /not one of 'auto', 'gcc', 'zig', 'rust-lld'/],
    [
      { target: 'pi4', 'toolchain-url': 'https://x/t.tar.gz' },
      'toolchain-sha256',
      /is required with 'toolchain-url'/,
    ],
    [
      { target: 'pi4', 'toolchain-url': 'https://x/t.tar.gz', 'toolchain-sha256': 'abc' },
      'toolchain-sha256',
      /not a sha256/,
    ],
    [
      { target: 'pi4', 'toolchain-url': 'ftp://x/t.tar.gz', 'toolchain-sha256': 'a'.repeat(64) },
      'toolchain-url',
      /only http/,
    ],
    [
      { target: 'pi4', 'toolchain-sha256': 'a'.repeat(64) },
      'toolchain-sha256',
      /only applies with 'toolchain-url'/,
    ],
    [{ target: 'pi4', 'toolchain-mirror': 'not a url' }, 'toolchain-mirror', /is not a URL/],
    [{ target: 'pi4', 'working-directory': 'nope' }, 'working-directory', /does not exist/],
    [{ target: 'pi4', 'manifest-path': 'nope/Cargo.toml' }, 'manifest-path', /does not exist/],
    [
      { target: 'pi4', 'all-features': 'true', features: 'x' },
      'all-features',
      /already turns on every feature/,
    ],
    [{ target: 'pi4', locked: 'yes' }, 'locked', /not a boolean/],
    [{ target: 'pi4', args: '--features "a' }, 'args', /unterminated double quote/],
    [{ target: 'pi4', profile: 'rel ease' }, 'profile', /not a profile name/],
    [{ target: 'pi4', 'retention-days': '91' }, 'retention-days', /1 to 90/],
    [
      { target: 'pi4', 'smoke-test-timeout': 'soon' },
      'smoke-test-timeout',
      /not a number of seconds/,
    ],
    [{ target: 'pi4', command: 'run' }, 'command', /not one of 'build', 'test', 'both'/],
    [{ target: 'pi4', verify: 'yes' }, 'verify', /not one of 'true', 'false', 'warn'/],
    [{ target: 'pi4', archive: 'rar' }, 'archive', /not one of 'tar.gz', 'zip', 'none'/],
    [{ target: ' , ' }, 'target', /is empty/],
  ])('%j → error on %s', (values, input, re) => {
    const err = inputError(values);
    expect(err.input).toBe(input);
    expect(err.message).toMatch(new RegExp(`^input '${input}': `));
    expect(err.message).toMatch(re);
  });
});

describe('action.yml', () => {
  test('declares exactly the inputs the action reads, each with a description', () => {
    const yml = fs.readFileSync(
      path.join(import.meta.dirname ?? '', '..', '..', 'action.yml'),
      'utf8',
    );
    const block = yml.slice(yml.indexOf('\ninputs:'), yml.indexOf('\noutputs:'));
    const declared = [...block.matchAll(/^ {2}([a-z0-9-]+):$/gm)].map((m) => m[1]);
    expect(declared.sort()).toEqual([...INPUT_NAMES].sort());
    expect(block.match(/^ {4}description:/gm)).toHaveLength(INPUT_NAMES.length);
    expect(yml).toMatch(/using: 'node24'/);
  });
});

describe('sysroot inputs', () => {
  test('none asked: null; a list in any separator, per-target entries by arch or triple', () => {
    expect(parse({ target: 'pi4' }).sysroot).toBeNull();
    const s = parse({
      target: 'pi4, pi2',
      'sysroot-packages':
        'libssl-dev,libsqlite3-dev\n aarch64:libdbus-1-dev armv7-unknown-linux-gnueabihf:libudev-dev libssl-dev',
      'sysroot-mirror': 'http://127.0.0.1:1/m',
      'sysroot-keyring': 'crate dir/Cargo.toml',
    }).sysroot;
    expect(s).toEqual({
      all: ['libssl-dev', 'libsqlite3-dev'],
      byTriple: {
        'aarch64-unknown-linux-gnu': ['libdbus-1-dev'],
        'armv7-unknown-linux-gnueabihf': ['libudev-dev'],
      },
      mirror: 'http://127.0.0.1:1/m',
      keyring: path.join(ws, 'crate dir', 'Cargo.toml'),
    });
  });

  test('glibc targets take sysroot-mirror alone: the ARMv6 runtime and the missing-library hint use it', () => {
    expect(
      parse({ target: 'pi-zero, pi4', 'sysroot-mirror': 'http://127.0.0.1:1/m' }).sysroot,
    ).toEqual({ all: [], byTriple: {}, mirror: 'http://127.0.0.1:1/m', keyring: null });
    expect(parse({ target: 'pi4', 'sysroot-mirror': 'http://127.0.0.1:1/m' }).sysroot?.mirror).toBe(
      'http://127.0.0.1:1/m',
    );
    expect(parse({ target: 'pi-zero' }).sysroot).toBeNull();
  });

  test('a per-target entry may leave a musl target without packages', () => {
    const s = parse({
      target: 'pi4, pi4:musl',
      'sysroot-packages': 'aarch64-unknown-linux-gnu:libssl-dev',
    });
    expect(s.sysroot?.byTriple).toEqual({ 'aarch64-unknown-linux-gnu': ['libssl-dev'] });
  });

  test.each<[Partial<Record<InputName, string>>, InputName, RegExp]>([
    [
      { target: 'pi4', 'sysroot-packages': 'libssl-dev', 'sysroot-mirror': 'ftp://x' },
      'sysroot-mirror',
      /only http/,
    ],
    [
      { target: 'pi4:musl, pi-zero:musl', 'sysroot-mirror': 'http://x' },
      'sysroot-mirror',
      /only applies to glibc targets .*every target here is musl; remove 'sysroot-mirror'/,
    ],
    [
      { target: 'pi4:musl', 'sysroot-keyring': 'k.gpg' },
      'sysroot-keyring',
      /only applies to glibc targets/,
    ],
    [
      { target: 'pi4', 'sysroot-packages': 'libssl-dev', 'sysroot-keyring': 'nope.gpg' },
      'sysroot-keyring',
      /cannot be read \(ENOENT\).*debian-archive-keyring/,
    ],
    [
      { target: 'pi4', 'sysroot-packages': 'libssl-dev', 'sysroot-keyring': 'crate dir' },
      'sysroot-keyring',
      /is not a file/,
    ],
    [
      { target: 'pi4', 'sysroot-packages': 'libSSL-dev' },
      'sysroot-packages',
      /'libSSL-dev' is not a Debian package name/,
    ],
    [
      { target: 'pi4', 'sysroot-packages': 'armv7:libssl-dev' },
      'sysroot-packages',
      /names 'armv7', which is none of the targets built; write one of 'aarch64:libssl-dev'/,
    ],
    [
      { target: 'pi4:musl', 'sysroot-packages': 'libssl-dev' },
      'sysroot-packages',
      /aarch64-unknown-linux-musl is a musl target, but Pi OS packages are built for glibc/,
    ],
    [
      { target: 'pi4, pi-zero:musl', 'sysroot-packages': 'libssl-dev' },
      'sysroot-packages',
      /arm-unknown-linux-musleabihf is a musl target/,
    ],
  ])('%j → error on %s', (values, input, re) => {
    const err = inputError(values);
    expect(err.input).toBe(input);
    expect(err.message).toMatch(re);
  });
});
