import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { cargoLicenseFile, isDocName } from '../../src/license-files.js';
import { isInside, locateInside, looksLikeGlob, staysBelow } from '../../src/paths.js';
import { SHOWN_CHARS, shorten, shown } from '../../src/show.js';
import { includeFiles } from '../../src/ship.js';
import { rustupReason, toolchainFileChannel, findToolchainFile } from '../../src/rust/std.js';

describe('isInside', () => {
  test.each([
    ['/w', '/w', true],
    ['/w', '/w/a/b', true],
    ['/w', '/w/..a', true],
    ['/w', '/w2', false],
    ['/w', '/', false],
    ['/w', '/w/../etc/passwd', false],
    ['/w/x', '/w', false],
  ])('%s contains %s: %s', (root, p, inside) => {
    expect(isInside(root, p)).toBe(inside);
  });
});

describe('staysBelow', () => {
  test.each([
    ['a/b', true],
    ['a/../b', true],
    ['.', true],
    ['..', false],
    ['a/../../b', false],
    ['/abs/sysroot', false],
  ])('%s: %s', (p, ok) => {
    expect(staysBelow(p)).toBe(ok);
  });
});

test('globs are told from file names', () => {
  for (const g of ['*.md', 'docs/**', 'LICENSE-?', '[ab].txt', '{a,b}'])
    expect(looksLikeGlob(g)).toBe(true);
  for (const f of ['README.md', 'docs/a b.txt', 'LICENSE-MIT'])
    expect(looksLikeGlob(f)).toBe(false);
});

describe('locateInside', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'locate '));
  const ws = path.join(root, 'ws');
  fs.mkdirSync(path.join(ws, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'file'), 'x');
  fs.writeFileSync(path.join(root, 'secret'), 's');
  fs.symlinkSync('../secret', path.join(ws, 'out-link'));
  fs.symlinkSync('file', path.join(ws, 'in-link'));
  fs.symlinkSync('loop-b', path.join(ws, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(ws, 'loop-b'));
  fs.symlinkSync(root, path.join(ws, 'up'));
  // The workspace reached through a link of its own still contains its files.
  fs.symlinkSync(ws, path.join(root, 'ws-link'));

  test('a file and a directory inside', () => {
    expect(locateInside(ws, path.join(ws, 'file'))).toMatchObject({ ok: true, kind: 'file' });
    expect(locateInside(ws, path.join(ws, 'sub'))).toMatchObject({ ok: true, kind: 'dir' });
    expect(locateInside(ws, path.join(ws, 'in-link'))).toMatchObject({
      ok: true,
      real: fs.realpathSync(path.join(ws, 'file')),
    });
    const viaLink = path.join(root, 'ws-link');
    expect(locateInside(viaLink, path.join(viaLink, 'file'))).toMatchObject({ ok: true });
  });
  test('.., a symlink out, and a directory link out are outside', () => {
    expect(locateInside(ws, path.join(ws, '..', 'secret'))).toMatchObject({
      ok: false,
      why: 'outside',
    });
    expect(locateInside(ws, path.join(ws, 'out-link'))).toEqual({
      ok: false,
      why: 'outside',
      real: fs.realpathSync(path.join(root, 'secret')),
    });
    expect(locateInside(ws, path.join(ws, 'up', 'secret'))).toMatchObject({ why: 'outside' });
  });
  test('missing files and symlink loops say so', () => {
    expect(locateInside(ws, path.join(ws, 'nope'))).toEqual({ ok: false, why: 'missing' });
    expect(locateInside(ws, path.join(ws, 'file', 'x'))).toEqual({ ok: false, why: 'missing' });
    expect(locateInside(ws, path.join(ws, 'loop-a'))).toEqual({ ok: false, why: 'loop' });
  });
});

describe('shown values', () => {
  test('short values are quoted whole', () => {
    expect(shown('pi4')).toBe("'pi4'");
    expect(shorten('x'.repeat(SHOWN_CHARS))).toBe('x'.repeat(SHOWN_CHARS));
  });
  test('long values keep their first 200 characters and say how long they were', () => {
    const v = 'a'.repeat(5000);
    expect(shown(v)).toBe(`'${'a'.repeat(200)}…' (5000 characters)`);
    expect(shorten(v)).toBe(`${'a'.repeat(200)}… (5000 characters)`);
  });
  test('code points are never cut in half', () => {
    const v = '😀'.repeat(300);
    expect(shorten(v)).toBe(`${'😀'.repeat(200)}… (300 characters)`);
  });
});

describe('documents packed automatically', () => {
  test.each([
    'README.md',
    'readme',
    'LICENSE',
    'LICENSE-MIT',
    'LICENSE-APACHE',
    'LICENCE.txt',
    'UNLICENSE',
    'COPYING',
    'COPYING.LESSER',
    'NOTICE',
    'notice.txt',
  ])('%s', (name) => {
    expect(isDocName(name)).toBe(true);
  });
  test.each(['Cargo.toml', 'src', 'MY-LICENSE', 'docs', 'CHANGELOG.md'])('not %s', (name) => {
    expect(isDocName(name)).toBe(false);
  });
  test("the [package] table's license-file", () => {
    expect(cargoLicenseFile('[package]\nname = "x"\nlicense-file = "LEGAL.txt"\n')).toBe(
      'LEGAL.txt',
    );
    expect(cargoLicenseFile("[package]\nlicense-file='../docs/terms' # why\n")).toBe(
      '../docs/terms',
    );
    expect(cargoLicenseFile('[package]\nlicense-file = "a\\\\b"\n')).toBe('a\\b');
    expect(
      cargoLicenseFile('[package]\nlicense = "MIT"\n[dependencies]\nlicense-file = "x"\n'),
    ).toBeNull();
    expect(cargoLicenseFile('[package]\nlicense-file.workspace = true\n')).toBeNull();
    expect(cargoLicenseFile('[workspace]\nmembers = ["a"]\n')).toBeNull();
  });
});

describe('rust-toolchain files', () => {
  test('the channel of the TOML and the legacy form', () => {
    expect(toolchainFileChannel('[toolchain]\nchannel = "nightly-2020-01-01"\n')).toBe(
      'nightly-2020-01-01',
    );
    expect(toolchainFileChannel("[toolchain]\ntargets = ['x']\nchannel='1.70'\n")).toBe('1.70');
    expect(toolchainFileChannel('[toolchain]\npath = "/opt/rust"\n')).toBe('/opt/rust');
    expect(toolchainFileChannel('\nnightly-2021-06-01\n')).toBe('nightly-2021-06-01');
    expect(toolchainFileChannel('[toolchain]\ncomponents = ["clippy"]\n')).toBeNull();
    expect(toolchainFileChannel('[other]\nchannel = "x"\n')).toBeNull();
  });
  test('the nearest file upwards, the legacy name first', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rtf '));
    const deep = path.join(root, 'a', 'b');
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(root, 'rust-toolchain.toml'), '');
    expect(findToolchainFile(deep)).toBe(path.join(root, 'rust-toolchain.toml'));
    fs.writeFileSync(path.join(root, 'a', 'rust-toolchain.toml'), '');
    fs.writeFileSync(path.join(root, 'a', 'rust-toolchain'), '');
    expect(findToolchainFile(deep)).toBe(path.join(root, 'a', 'rust-toolchain'));
  });
  test("rustup's error line, not its backtrace", () => {
    const stderr =
      "error: toolchain 'n-x86_64-unknown-linux-gnu' is not installed\nhelp: run `rustup toolchain install`\n\nStack backtrace:\n   0: anyhow::x\n  12: <unknown>\n";
    expect(rustupReason(stderr)).toBe("toolchain 'n-x86_64-unknown-linux-gnu' is not installed");
    expect(rustupReason('a\nb\nc\nd\n')).toBe('b c d');
  });
});

describe('includeFiles', () => {
  const ws = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'include ')), 'ws');
  const crate = path.join(ws, 'crate');
  fs.mkdirSync(path.join(crate, 'LICENSES'), { recursive: true });
  fs.mkdirSync(path.join(crate, 'legal'));
  for (const f of ['LICENSE', 'UNLICENSE', 'NOTICE', 'legal/LICENSE', 'legal/TERMS', 'notes'])
    fs.writeFileSync(path.join(crate, f), f);
  fs.symlinkSync('missing', path.join(crate, 'COPYING'));
  const manifest = (licenseFile: string) =>
    fs.writeFileSync(
      path.join(crate, 'Cargo.toml'),
      `[package]\nname = "c"\nlicense-file = "${licenseFile}"\n`,
    );

  test("the crate's documents and its license-file; dangling links and directories are skipped", () => {
    manifest('legal/TERMS');
    const files = includeFiles(crate, [path.join(crate, 'notes')], ws);
    expect(files.map((f) => path.relative(crate, f))).toEqual([
      'LICENSE',
      'NOTICE',
      'UNLICENSE',
      'legal/TERMS',
      'notes',
    ]);
  });
  test("a license-file named like the crate's own LICENSE does not clash with it", () => {
    manifest('legal/LICENSE');
    expect(includeFiles(crate, [], ws).map((f) => path.relative(crate, f))).toEqual([
      'LICENSE',
      'NOTICE',
      'UNLICENSE',
    ]);
  });
  test('a license-file outside the workspace is refused', () => {
    manifest('../../outside-license');
    fs.writeFileSync(path.join(ws, '..', 'outside-license'), 'x');
    expect(() => includeFiles(crate, [], ws)).toThrow(
      /outside-license' resolves to '.*outside-license', outside the workspace; .*packed automatically/,
    );
  });
});
