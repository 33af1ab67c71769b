/**
 * parseInputs' edges that the mutation run found unjudged: each accepted spelling and each
 * bound, every path input's refusals, and the whole text of the messages a user reads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { parseInputs, type InputName } from '../../src/inputs.js';

const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'inputs edges ')));
const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'inputs outside ')));
fs.mkdirSync(path.join(ws, 'app'));
fs.writeFileSync(path.join(ws, 'app', 'Cargo.toml'), '[package]\nname="x"\n');
fs.writeFileSync(path.join(ws, 'app', 'README.md'), 'x\n');
fs.writeFileSync(path.join(ws, 'LICENSE'), 'x\n');
fs.writeFileSync(path.join(outside, 'secret'), 'x\n');
fs.symlinkSync(path.join(outside, 'secret'), path.join(ws, 'app', 'leak'));
fs.symlinkSync(outside, path.join(ws, 'out-dir'));
fs.symlinkSync('loop-b', path.join(ws, 'loop-a'));
fs.symlinkSync('loop-a', path.join(ws, 'loop-b'));
afterAll(() => {
  fs.rmSync(ws, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

type Values = Partial<Record<InputName, string>>;
const parse = (values: Values) => parseInputs((n) => values[n] ?? '', ws);

function message(values: Values): string {
  try {
    parse(values);
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('choices and booleans', () => {
  test('every spelling of true and false, and the default when empty', () => {
    for (const [v, want] of [
      ['true', true],
      ['True', true],
      ['TRUE', true],
      ['false', false],
      ['False', false],
      ['FALSE', false],
      [' true ', true],
    ] as const) {
      const i = parse({ target: 'pi4', cache: v, strip: v, upload: v });
      expect([v, i.cache, i.strip, i.upload]).toEqual([v, want, want, want]);
    }
    const d = parse({ target: 'pi4' });
    expect([d.cache, d.strip, d.upload, d.locked, d.allFeatures, d.noDefaultFeatures]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(message({ target: 'pi4', strip: 'yes' })).toBe(
      "input 'strip': 'yes' is not a boolean; write 'true' or 'false'",
    );
  });

  test('each choice is taken as written; a wrong one lists them all', () => {
    const i = parse({
      target: 'pi4',
      command: 'both',
      verify: 'warn',
      archive: 'zip',
      linker: 'zig',
    });
    expect([i.command, i.verify, i.archive, i.linker]).toEqual(['both', 'warn', 'zip', 'zig']);
    expect(message({ target: 'pi4', archive: 'rar' })).toBe(
      "input 'archive': 'rar' is not one of 'tar.gz', 'zip', 'none'",
    );
  });

  test('rust-lld: fine for musl targets, refused for gnu ones, one or several', () => {
    expect(parse({ target: 'pi4:musl', linker: 'rust-lld' }).linker).toBe('rust-lld');
    expect(message({ target: 'pi4', linker: 'rust-lld' })).toBe(
      "input 'linker': 'rust-lld' links only musl targets (it has no glibc start files); aarch64-unknown-linux-gnu needs 'auto', 'gcc' or 'zig'",
    );
    expect(message({ target: 'pi4, pi2, pi4:musl', linker: 'rust-lld' })).toMatch(
      /; aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf need 'auto'/,
    );
  });

  test('pi-os: written or not, and mixed gnu and musl targets take it', () => {
    const i = parse({ target: 'pi4, pi4:musl', 'pi-os': 'bookworm' });
    expect([i.piOs, i.piOsExplicit, i.glibcFloor]).toEqual(['bookworm', true, '2.36']);
  });

  test('all-features with no-default-features is refused too', () => {
    expect(message({ target: 'pi4', 'all-features': 'true', 'no-default-features': 'true' })).toBe(
      "input 'all-features': 'all-features: true' already turns on every feature; remove 'features'/'no-default-features' or set 'all-features: false'",
    );
    expect(parse({ target: 'pi4', 'all-features': 'true' }).allFeatures).toBe(true);
  });
});

describe('texts, lists and names', () => {
  test('lists drop blanks in any mix of commas and newlines; text inputs are trimmed', () => {
    const i = parse({
      target: 'pi4',
      package: 'a,,b\n\n c ,',
      bin: ' x ',
      'rust-toolchain': ' stable ',
      'archive-name': ' {package}-{target} ',
      'artifact-name': ' bins ',
    });
    expect(i.packages).toEqual(['a', 'b', 'c']);
    expect(i.bins).toEqual(['x']);
    expect([i.rustToolchain, i.archiveName, i.artifactName]).toEqual([
      'stable',
      '{package}-{target}',
      'bins',
    ]);
    const d = parse({ target: 'pi4', 'smoke-test': '  ' });
    expect([d.rustToolchain, d.archiveName, d.artifactName, d.smokeTest]).toEqual([
      null,
      '{package}-{version}-{target}',
      '{package}-{target}',
      null,
    ]);
    expect([d.packages, d.bins, d.features, d.include, d.args]).toEqual([[], [], [], [], []]);
  });

  test('profile names: letters, digits, _ and -; anything else is refused', () => {
    expect(parse({ target: 'pi4', profile: 'my_prof-2' }).profile).toBe('my_prof-2');
    expect(message({ target: 'pi4', profile: 'a/b' })).toBe(
      "input 'profile': 'a/b' is not a profile name; use 'release', 'dev' or a [profile.<name>] from Cargo.toml",
    );
    expect(message({ target: 'pi4', profile: 'dev!' })).toMatch(/^input 'profile': 'dev!'/);
    expect(message({ target: 'pi4', profile: '!dev' })).toMatch(/^input 'profile': '!dev'/);
  });

  test('an unclosed quote or a lone backslash: the fix for args and for smoke-test', () => {
    expect(message({ target: 'pi4', args: "--features 'a" })).toBe(
      `input 'args': has an unterminated single quote: close every quote, e.g. --features "a b"`,
    );
    expect(message({ target: 'pi4', 'smoke-test': '--name "a' })).toBe(
      `input 'smoke-test': has an unterminated double quote: close every quote, e.g. --name "a b"`,
    );
    expect(message({ target: 'pi4', args: 'a\\' })).toBe(
      "input 'args': ends with a lone backslash: remove it, or write '\\\\' for a literal backslash",
    );
  });
});

describe('numbers', () => {
  test('seconds: 1 to 3600, decimals allowed, nothing else', () => {
    const ms = (v: string) => parse({ target: 'pi4', 'smoke-test-timeout': v }).smokeTestTimeoutMs;
    expect([ms('1'), ms('3600'), ms('1.5'), ms('0.5'), ms('1.25')]).toEqual([
      1000, 3600000, 1500, 500, 1250,
    ]);
    expect(parse({ target: 'pi4' }).downloadTimeoutMs).toBe(60000);
    expect(parse({ target: 'pi4', 'download-timeout': '5' }).downloadTimeoutMs).toBe(5000);
    for (const v of ['0', '3601', '3600.5', '-1', '1.', '.5', '1e3', ' 5x', '5x', 'x5']) {
      expect([v, message({ target: 'pi4', 'download-timeout': v })]).toEqual([
        v,
        `input 'download-timeout': '${v.trim()}' is not a number of seconds between 1 and 3600, e.g. '30'`,
      ]);
    }
  });

  test('retention-days: a whole number from 1 to 90, or nothing', () => {
    const days = (v: string) => parse({ target: 'pi4', 'retention-days': v }).retentionDays;
    expect([days('1'), days('90'), days('')]).toEqual([1, 90, null]);
    for (const v of ['0', '91', '1.5', '7d', 'd7']) {
      expect([v, message({ target: 'pi4', 'retention-days': v })]).toEqual([
        v,
        `input 'retention-days': '${v}' must be a whole number of days from 1 to 90 (GitHub's limit)`,
      ]);
    }
  });
});

describe('the toolchain inputs', () => {
  const url = 'http://127.0.0.1:1/t.tar.gz';
  const sha = 'a'.repeat(64);

  test('prefix and sysroot are kept as written when they are plain', () => {
    expect(
      parse({
        target: 'pi4',
        'toolchain-url': url,
        'toolchain-sha256': sha,
        'toolchain-prefix': 'aarch64-none-linux-gnu',
        'toolchain-sysroot': 'aarch64-none-linux-gnu/libc',
      }).customToolchain,
    ).toEqual({
      url,
      sha256: sha,
      prefix: 'aarch64-none-linux-gnu',
      sysroot: 'aarch64-none-linux-gnu/libc',
    });
  });

  test('each companion input without toolchain-url is refused by its own name', () => {
    for (const n of ['toolchain-prefix', 'toolchain-sysroot'] as const) {
      expect(message({ target: 'pi4', [n]: 'x' })).toBe(
        `input '${n}': only applies with 'toolchain-url'; add the toolchain's URL or remove '${n}'`,
      );
    }
  });

  test('a sha256 is exactly 64 hex digits', () => {
    for (const v of ['a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}g`, ` x${'a'.repeat(64)}`]) {
      expect(message({ target: 'pi4', 'toolchain-url': url, 'toolchain-sha256': v })).toBe(
        `input 'toolchain-sha256': '${v.trim()}' is not a sha256 (64 hex digits, as printed by 'sha256sum')`,
      );
    }
  });

  test('a prefix that is not a tool prefix, a sysroot that leaves the toolchain', () => {
    const base = { target: 'pi4', 'toolchain-url': url, 'toolchain-sha256': sha };
    for (const p of ['-gcc', 'a b', 'a/b', 'arm-'.padStart(5, '.')]) {
      expect(message({ ...base, 'toolchain-prefix': p })).toMatch(
        new RegExp(`^input 'toolchain-prefix': '${p.replace(/[.]/g, '\\.')}' is not a tool prefix`),
      );
    }
    expect(parse({ ...base, 'toolchain-prefix': 'a' }).customToolchain?.prefix).toBe('a');
    for (const s of ['../libc', '/usr', 'a/../../b']) {
      expect(message({ ...base, 'toolchain-sysroot': s })).toBe(
        `input 'toolchain-sysroot': '${s}' leaves the toolchain; write a path relative to the toolchain's folder that stays inside it, e.g. 'aarch64-linux-gnu/libc'`,
      );
    }
  });

  test('URLs: http and https are downloaded, other schemes and non-URLs named', () => {
    expect(parse({ target: 'pi4', 'toolchain-mirror': 'http://m/x' }).toolchainMirror).toBe(
      'http://m/x',
    );
    expect(parse({ target: 'pi4', 'toolchain-mirror': 'https://m/x' }).toolchainMirror).toBe(
      'https://m/x',
    );
    expect(parse({ target: 'pi4' }).toolchainMirror).toBeNull();
    expect(message({ target: 'pi4', 'toolchain-mirror': 'file:///x' })).toBe(
      "input 'toolchain-mirror': 'file:///x' uses file: — only http:// and https:// URLs are downloaded",
    );
    expect(message({ target: 'pi4', 'toolchain-mirror': 'nope' })).toBe(
      "input 'toolchain-mirror': 'nope' is not a URL; write an http(s) URL such as https://example.com/toolchain.tar.xz",
    );
  });
});

describe('path inputs stay inside the workspace', () => {
  const example = "give a path relative to the repository root, e.g. '.' or 'crates/app'";

  test('working-directory: missing, a file, outside, a loop', () => {
    expect(parse({ target: 'pi4', 'working-directory': 'app' }).workingDirectory).toBe(
      path.join(ws, 'app'),
    );
    expect(message({ target: 'pi4', 'working-directory': 'nope' })).toBe(
      `input 'working-directory': directory '${path.join(ws, 'nope')}' does not exist; ${example}`,
    );
    expect(message({ target: 'pi4', 'working-directory': 'LICENSE' })).toBe(
      `input 'working-directory': 'LICENSE' is a file, not a directory; ${example} (a Cargo.toml itself goes in 'manifest-path')`,
    );
    expect(message({ target: 'pi4', 'working-directory': 'out-dir' })).toBe(
      `input 'working-directory': 'out-dir' resolves to '${outside}', outside the workspace '${ws}'; it must name a directory inside the repository checkout; ${example}`,
    );
    expect(message({ target: 'pi4', 'working-directory': 'loop-a' })).toBe(
      `input 'working-directory': 'loop-a' is a symlink loop (its links never end at a real directory); ${example}`,
    );
  });

  test('manifest-path: relative to working-directory; a directory or a link out is refused', () => {
    const fix = "point it at a Cargo.toml (relative to 'working-directory')";
    const wd = { target: 'pi4', 'working-directory': 'app' };
    expect(parse({ ...wd, 'manifest-path': 'Cargo.toml' }).manifestPath).toBe(
      path.join(ws, 'app', 'Cargo.toml'),
    );
    expect(message({ ...wd, 'manifest-path': '.' })).toBe(
      `input 'manifest-path': '.' is not a file; ${fix}`,
    );
    expect(message({ ...wd, 'manifest-path': 'nope.toml' })).toBe(
      `input 'manifest-path': '${path.join(ws, 'app', 'nope.toml')}' does not exist; ${fix}`,
    );
    expect(message({ ...wd, 'manifest-path': 'leak' })).toBe(
      `input 'manifest-path': 'leak' resolves to '${path.join(outside, 'secret')}', outside the workspace '${ws}'; it must name a file inside the repository checkout; ${fix}`,
    );
  });

  test('include: files relative to working-directory, each once; globs, folders, links out refused', () => {
    const wd = { target: 'pi4', 'working-directory': 'app' };
    expect(parse({ ...wd, include: 'README.md, ../LICENSE\nREADME.md' }).include).toEqual([
      path.join(ws, 'app', 'README.md'),
      path.join(ws, 'LICENSE'),
    ]);
    // A file whose name only looks like a glob is packed as named.
    fs.writeFileSync(path.join(ws, 'app', 'notes[1].txt'), 'x\n');
    expect(parse({ ...wd, include: 'notes[1].txt' }).include).toEqual([
      path.join(ws, 'app', 'notes[1].txt'),
    ]);
    const where = "; paths are relative to 'working-directory'";
    expect(message({ ...wd, include: 'nope.md' })).toBe(
      `input 'include': 'nope.md' not found${where}`,
    );
    expect(message({ ...wd, include: '*.md' })).toBe(
      "input 'include': '*.md' looks like a glob; globs are not expanded: list each file, comma or newline separated",
    );
    expect(message({ ...wd, include: '../app' })).toBe(
      "input 'include': '../app' is a directory; directories are not packed: list the files in it one by one",
    );
    expect(message({ ...wd, include: 'leak' })).toBe(
      `input 'include': 'leak' resolves to '${path.join(outside, 'secret')}', outside the workspace '${ws}'; it must name a file inside the repository checkout${where}`,
    );
    expect(message({ ...wd, include: '../loop-a' })).toBe(
      `input 'include': '../loop-a' is a symlink loop (its links never end at a real file)${where}`,
    );
    expect(message({ target: 'pi4', include: '/dev/null' })).toMatch(
      /^input 'include': '\/dev\/null' resolves to '\/dev\/null', outside the workspace/,
    );
  });
});

describe('sysroot inputs', () => {
  test('names by triple or architecture, each once per target; the keyring from working-directory', () => {
    const s = parse({
      target: 'pi4, pi2',
      'working-directory': 'app',
      'sysroot-packages': 'libz-dev aarch64:libz-dev aarch64:libz-dev armv7:libfoo1 libz-dev',
      'sysroot-keyring': 'Cargo.toml',
    }).sysroot;
    expect(s).toEqual({
      all: ['libz-dev'],
      byTriple: {
        'aarch64-unknown-linux-gnu': ['libz-dev'],
        'armv7-unknown-linux-gnueabihf': ['libfoo1'],
      },
      mirror: null,
      keyring: path.join(ws, 'app', 'Cargo.toml'),
    });
  });

  test('a package name has two characters at least, and the name after a prefix is checked', () => {
    for (const v of ['a', 'aarch64:X-dev', 'aarch64:']) {
      expect(message({ target: 'pi4', 'sysroot-packages': v })).toBe(
        `input 'sysroot-packages': '${v}' is not a Debian package name (lower case letters, digits, '+', '-', '.'); write e.g. 'libssl-dev' or 'aarch64:libssl-dev'`,
      );
    }
    expect(parse({ target: 'pi4', 'sysroot-packages': 'g++' }).sysroot?.all).toEqual(['g++']);
  });

  test('a prefix that names no target lists what would', () => {
    expect(message({ target: 'pi4, pi2', 'sysroot-packages': 'arm:libz-dev' })).toBe(
      "input 'sysroot-packages': 'arm:libz-dev' names 'arm', which is none of the targets built; write one of 'aarch64:libz-dev', 'armv7:libz-dev', 'aarch64-unknown-linux-gnu:libz-dev', 'armv7-unknown-linux-gnueabihf:libz-dev', or 'libz-dev' for every target",
    );
  });

  test('musl targets: refused with packages for them, by name or for every target', () => {
    expect(message({ target: 'pi4:musl, pi2:musl', 'sysroot-packages': 'libz-dev' })).toBe(
      "input 'sysroot-packages': aarch64-unknown-linux-musl, armv7-unknown-linux-musleabihf are musl targets, but Pi OS packages are built for glibc; build the gnu target (e.g. 'pi4' without ':musl'), or give the packages only to the gnu targets ('aarch64:libssl-dev')",
    );
    expect(
      message({
        target: 'pi4:musl, pi2',
        'sysroot-packages': 'aarch64-unknown-linux-musl:libz-dev',
      }),
    ).toMatch(/^input 'sysroot-packages': aarch64-unknown-linux-musl is a musl target/);
  });

  test('the keyring: a directory or a missing file is named', () => {
    const base = { target: 'pi4', 'sysroot-packages': 'libz-dev' };
    expect(message({ ...base, 'sysroot-keyring': 'app' })).toBe(
      "input 'sysroot-keyring': 'app' is not a file; give the path of an OpenPGP public keyring file (.gpg or .asc)",
    );
    expect(message({ ...base, 'sysroot-keyring': 'k.gpg' })).toBe(
      "input 'sysroot-keyring': 'k.gpg' cannot be read (ENOENT); give the path of an OpenPGP public keyring file (.gpg or .asc), e.g. /usr/share/keyrings/debian-archive-keyring.gpg",
    );
  });
});
