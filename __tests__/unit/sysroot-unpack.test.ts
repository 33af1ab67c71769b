import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import zlib from 'node:zlib';
import { readAr } from '../../src/sysroot/ar.js';
import { zstdAvailable } from '../../src/sysroot/decompress.js';
import { readTar } from '../../src/sysroot/tar.js';
import {
  checkSymlinks,
  entryComponents,
  unpackDeb,
  UnpackError,
} from '../../src/sysroot/unpack.js';

interface Entry {
  name: string;
  type?: '0' | '1' | '2' | '5' | '3';
  link?: string;
  data?: string;
  mode?: number;
}

/** A hand-made ustar archive: the hostile entries no honest tool writes. */
function tar(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write(`${(e.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'ascii');
    h.write('0000000\0', 108, 'ascii');
    h.write('0000000\0', 116, 'ascii');
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    h.write('00000000000\0', 136, 'ascii');
    h.write(e.type ?? '0', 156, 'ascii');
    h.write(e.link ?? '', 157, 100, 'utf8');
    h.write('ustar\u000000', 257, 'ascii');
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function ar(members: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of members) {
    const h = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(h, 'latin1'), data);
    if (data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function deb(data: Buffer, member = 'data.tar.gz'): Buffer {
  return ar([
    ['debian-binary', Buffer.from('2.0\n')],
    ['control.tar.gz', zlib.gzipSync(tar([{ name: './control', data: 'Package: x\n' }]))],
    [member, data],
  ]);
}

let tmp: string;
let root: string;
let outside: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysroot-unpack-'));
  root = path.join(tmp, 'overlay');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every path under `dir`, to show nothing was written outside the overlay. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

const unpack = (entries: Entry[]): ReturnType<typeof unpackDeb> =>
  unpackDeb(deb(zlib.gzipSync(tar(entries))), root);

describe('.deb unpacking, confined to the overlay', () => {
  it('unpacks files, dirs, relative and absolute symlinks (rewritten), hard links', async () => {
    const r = await unpack([
      { name: './', type: '5', mode: 0o755 },
      { name: './usr/lib/aarch64-linux-gnu/', type: '5', mode: 0o755 },
      { name: './lib/aarch64-linux-gnu/libdbus-1.so.3.32.4', data: 'ELF', mode: 0o644 },
      {
        name: './usr/lib/aarch64-linux-gnu/libdbus-1.so',
        type: '2',
        link: '/lib/aarch64-linux-gnu/libdbus-1.so.3.32.4',
      },
      { name: './usr/lib/aarch64-linux-gnu/libssl.so', type: '2', link: 'libssl.so.3' },
      { name: './usr/lib/aarch64-linux-gnu/libssl.so.3', data: 'SSL', mode: 0o4755 },
      { name: './usr/bin/a', data: 'same' },
      { name: './usr/bin/b', type: '1', link: './usr/bin/a' },
      { name: './dev/null', type: '3' },
    ]);
    expect(fs.readlinkSync(path.join(root, 'usr/lib/aarch64-linux-gnu/libdbus-1.so'))).toBe(
      '../../../lib/aarch64-linux-gnu/libdbus-1.so.3.32.4',
    );
    expect(fs.readFileSync(path.join(root, 'usr/lib/aarch64-linux-gnu/libdbus-1.so'), 'utf8')).toBe(
      'ELF',
    );
    expect(fs.readFileSync(path.join(root, 'usr/lib/aarch64-linux-gnu/libssl.so'), 'utf8')).toBe(
      'SSL',
    );
    expect(
      fs.statSync(path.join(root, 'usr/lib/aarch64-linux-gnu/libssl.so.3')).mode & 0o7777,
    ).toBe(0o755);
    expect(fs.statSync(path.join(root, 'usr/bin/b')).ino).toBe(
      fs.statSync(path.join(root, 'usr/bin/a')).ino,
    );
    expect(r.rewritten).toHaveLength(1);
    expect(r.ignored).toEqual(["dev/null (tar type '3')"]);
    expect(fs.existsSync(path.join(root, 'dev/null'))).toBe(false);
    checkSymlinks(root, r.symlinks);
  });

  it.each<[string, Entry[], RegExp]>([
    ['a ../ entry', [{ name: './usr/../../outside/evil', data: 'x' }], /climbs out/],
    ['an absolute entry', [{ name: `${'/'}tmp/evil`, data: 'x' }], /absolute path/],
    [
      'a write through a symlink to an absolute dir',
      [
        { name: './usr/lib', type: '2', link: '/' },
        { name: './usr/lib/evil', data: 'x' },
      ],
      /written through the symlink usr\/lib/,
    ],
    [
      'a write through a relative symlink that leads out',
      [
        { name: './sub', type: '5' },
        { name: './sub/up', type: '2', link: '../../outside' },
        { name: './sub/up/evil', data: 'x' },
      ],
      /points outside the sysroot/,
    ],
    [
      'a write through a symlink inside the overlay',
      [
        { name: './a/', type: '5' },
        { name: './b', type: '2', link: 'a' },
        { name: './b/evil', data: 'x' },
      ],
      /written through the symlink b/,
    ],
    [
      'a hard link to a host file',
      [{ name: './passwd', type: '1', link: '/etc/passwd' }],
      /absolute path/,
    ],
    [
      'a hard link to a file this package did not write',
      [{ name: './x', type: '1', link: 'etc/passwd' }],
      /not a file of this package/,
    ],
  ])('refuses %s and writes nothing outside', async (_what, entries, why) => {
    await expect(unpack(entries)).rejects.toThrow(why);
    expect(tree(outside)).toEqual([]);
    expect(fs.existsSync(path.join(tmp, 'evil'))).toBe(false);
  });

  it('refuses links that lead out only together (a -> b/../../x, then b -> .)', async () => {
    const r = await unpack([
      { name: './d/', type: '5' },
      { name: './d/a', type: '2', link: 'b/../../x' },
      { name: './d/b', type: '2', link: '.' },
    ]);
    // Each link alone stays inside; through b, a resolves to d/../../x: out of the overlay.
    expect(() => checkSymlinks(root, r.symlinks)).toThrow(/d\/a.*leads outside/);
  });

  it('refuses an entry that replaces a directory, and garbage instead of a .deb', async () => {
    await expect(
      unpack([
        { name: './usr/', type: '5' },
        { name: './usr', data: 'x' },
      ]),
    ).rejects.toThrow(/replace a directory/);
    await expect(unpackDeb(Buffer.from('<html>not a deb</html>'), root)).rejects.toThrow(
      /not an ar archive/,
    );
    await expect(unpackDeb(ar([['debian-binary', Buffer.from('2.0\n')]]), root)).rejects.toThrow(
      /no data.tar/,
    );
    await expect(unpackDeb(deb(Buffer.from('not xz'), 'data.tar.xz'), root)).rejects.toThrow(
      /data.tar.xz does not decompress/,
    );
  });

  it('names entries with the pure component check', () => {
    expect(entryComponents('./usr//lib/./x')).toEqual(['usr', 'lib', 'x']);
    expect(entryComponents('./')).toEqual([]);
    expect(() => entryComponents('a/../../b')).toThrow(UnpackError);
  });
});

describe('tar and ar readers against real tools', () => {
  it('reads GNU long names and pax paths as GNU tar writes them, xz and zstd members', async () => {
    const src = path.join(tmp, 'src');
    const long = `usr/share/${'d'.repeat(120)}/${'f'.repeat(110)}.h`;
    fs.mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
    fs.writeFileSync(path.join(src, long), 'long');
    fs.symlinkSync(`../${'f'.repeat(110)}.h`, path.join(src, 'usr/share', 'l'.repeat(120)));
    for (const format of ['gnu', 'pax']) {
      const t = execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', src, '.']);
      const entries = readTar(t);
      expect(entries.find((e) => e.name === `./${long}`)?.data.toString()).toBe('long');
      expect(entries.find((e) => e.type === 'symlink')?.linkname).toBe(`../${'f'.repeat(110)}.h`);
    }
    const plain = execFileSync('tar', ['--format=gnu', '-cf', '-', '-C', src, '.']);
    await unpackDeb(deb(execFileSync('xz', ['-c'], { input: plain }), 'data.tar.xz'), root);
    expect(fs.readFileSync(path.join(root, long), 'utf8')).toBe('long');
    if (zstdAvailable()) {
      const other = path.join(tmp, 'z');
      fs.mkdirSync(other);
      await unpackDeb(deb(execFileSync('zstd', ['-c'], { input: plain }), 'data.tar.zst'), other);
      expect(fs.readFileSync(path.join(other, long), 'utf8')).toBe('long');
    } else {
      await expect(
        unpackDeb(deb(execFileSync('zstd', ['-c'], { input: plain }), 'data.tar.zst'), root),
      ).rejects.toThrow(/zstd needs Node 22.15/);
    }
  });

  it('reads a .deb as dpkg-deb builds it', () => {
    const pkg = path.join(tmp, 'pkg');
    fs.mkdirSync(path.join(pkg, 'DEBIAN'), { recursive: true });
    fs.mkdirSync(path.join(pkg, 'usr/include'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'usr/include/x.h'), '#define X 1\n');
    fs.writeFileSync(
      path.join(pkg, 'DEBIAN/control'),
      'Package: x\nVersion: 1\nArchitecture: arm64\nMaintainer: t <t@example.invalid>\nDescription: t\n',
    );
    execFileSync(
      'dpkg-deb',
      ['--root-owner-group', '-Zxz', '--build', pkg, path.join(tmp, 'x.deb')],
      { stdio: 'ignore' },
    );
    const members = readAr(fs.readFileSync(path.join(tmp, 'x.deb'))).map((m) => m.name);
    expect(members).toEqual(['debian-binary', 'control.tar.xz', 'data.tar.xz']);
    expect(() => readAr(Buffer.from('!<arch>\nshort'))).toThrow(/truncated ar header/);
    expect(() => readTar(Buffer.concat([Buffer.from('x'.repeat(512))]))).toThrow(/checksum/);
  });
});
