/**
 * The tar writer's header bytes, read back field by field (POSIX.1-1988 ustar, GNU 'L' records):
 * GNU tar, which the integration test extracts with, forgives blank uid/gid fields, a wrong magic
 * or a missing end-of-archive marker; other readers do not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { writeTarGz } from '../../src/package/tar.js';
import { archiveMtime, checkEntry, DEFAULT_MTIME } from '../../src/package/entries.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-headers-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.SOURCE_DATE_EPOCH;
});

const text = (b: Buffer, at: number, len: number) => b.subarray(at, at + len).toString('latin1');
const cstr = (b: Buffer, at: number, len: number) => text(b, at, len).replace(/\0.*$/s, '');

interface Header {
  name: string;
  mode: string;
  uid: string;
  gid: string;
  size: string;
  mtime: string;
  chksum: string;
  type: string;
  magic: string;
  prefix: string;
}

function readHeader(b: Buffer, at: number): Header {
  return {
    name: cstr(b, at, 100),
    mode: text(b, at + 100, 8),
    uid: text(b, at + 108, 8),
    gid: text(b, at + 116, 8),
    size: text(b, at + 124, 12),
    mtime: text(b, at + 136, 12),
    chksum: text(b, at + 148, 8),
    type: text(b, at + 156, 1),
    magic: text(b, at + 257, 8),
    prefix: cstr(b, at + 345, 155),
  };
}

/** The checksum as POSIX defines it: every header byte, its own field counted as spaces. */
function checksumOf(b: Buffer, at: number): string {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (b[at + i] as number);
  return `${sum.toString(8).padStart(6, '0')}\0 `;
}

async function tarOf(entries: Parameters<typeof writeTarGz>[1]): Promise<Buffer> {
  const out = path.join(tmp, `t-${Math.random().toString(36).slice(2)}.tar.gz`);
  await writeTarGz(out, entries);
  return zlib.gunzipSync(fs.readFileSync(out));
}

describe('writeTarGz headers', () => {
  it('a short name: one ustar header, owner 0/0, fixed mtime, content, padding, end marker', async () => {
    const tar = await tarOf([{ name: 'app', data: Buffer.from('hi\n'), mode: 0o755 }]);
    expect(readHeader(tar, 0)).toEqual({
      name: 'app',
      mode: '0000755\0',
      uid: '0000000\0',
      gid: '0000000\0',
      size: '00000000003\0',
      mtime: `${DEFAULT_MTIME.toString(8).padStart(11, '0')}\0`,
      chksum: checksumOf(tar, 0),
      type: '0',
      magic: 'ustar\u000000',
      prefix: '',
    });
    expect(text(tar, 512, 3)).toBe('hi\n');
    // Header, one content block, and two zero blocks: nothing else.
    expect(tar.length).toBe(4 * 512);
    expect(tar.subarray(515).every((x) => x === 0)).toBe(true);
  });

  it('splits a long path at the last "/" that fits: prefix ≤ 155 bytes, name ≤ 100', async () => {
    const dir = `${'d'.repeat(60)}/${'e'.repeat(60)}`; // 121 bytes
    const exact = `${'p'.repeat(155)}/${'n'.repeat(100)}`; // both at their limits
    const tar = await tarOf([
      { name: `${dir}/tool`, data: Buffer.alloc(0), mode: 0o644 },
      { name: exact, data: Buffer.alloc(0), mode: 0o644 },
      { name: `${'q'.repeat(100)}`, data: Buffer.alloc(0), mode: 0o644 }, // exactly 100: no split
    ]);
    expect([readHeader(tar, 0).prefix, readHeader(tar, 0).name]).toEqual([
      'd'.repeat(60),
      `${'e'.repeat(60)}/tool`,
    ]);
    expect(readHeader(tar, 0).chksum).toBe(checksumOf(tar, 0));
    expect([readHeader(tar, 512).prefix, readHeader(tar, 512).name]).toEqual([
      'p'.repeat(155),
      'n'.repeat(100),
    ]);
    expect([readHeader(tar, 1024).prefix, readHeader(tar, 1024).name]).toEqual([
      '',
      'q'.repeat(100),
    ]);
    expect(tar.length).toBe(5 * 512);
  });

  it('tries each "/" in turn, and falls back to a GNU record when no split fits', async () => {
    const later = `a/${'b'.repeat(60)}/${'c'.repeat(60)}`; // at the first '/', 121 bytes are left
    const none = `${'p'.repeat(160)}/n`; // the only split leaves a 160-byte prefix
    const tar = await tarOf([
      { name: later, data: Buffer.alloc(0), mode: 0o644 },
      { name: none, data: Buffer.alloc(0), mode: 0o644 },
    ]);
    expect([readHeader(tar, 0).prefix, readHeader(tar, 0).name]).toEqual([
      `a/${'b'.repeat(60)}`,
      'c'.repeat(60),
    ]);
    expect([readHeader(tar, 512).name, readHeader(tar, 512).type]).toEqual(['././@LongLink', 'L']);
  });

  it('a name ustar cannot hold: a GNU ././@LongLink record, then the entry with GNU magic', async () => {
    const long = `/${'x'.repeat(150)}`.slice(1); // 150 bytes, no '/'
    const tar = await tarOf([{ name: long, data: Buffer.from('z'), mode: 0o755 }]);
    const link = readHeader(tar, 0);
    expect([link.name, link.type, link.magic, link.size, link.mode]).toEqual([
      '././@LongLink',
      'L',
      'ustar  \0',
      `${(long.length + 1).toString(8).padStart(11, '0')}\0`,
      '0000000\0',
    ]);
    expect(link.chksum).toBe(checksumOf(tar, 0));
    expect(text(tar, 512, long.length + 1)).toBe(`${long}\0`);
    const entry = readHeader(tar, 1024);
    expect([entry.name, entry.type, entry.magic, entry.prefix]).toEqual([
      long.slice(0, 100),
      '0',
      'ustar  \0',
      '',
    ]);
    expect(text(tar, 1536, 1)).toBe('z');
    expect(tar.length).toBe(6 * 512);
  });

  it('a time past what 11 octal digits hold is written base-256 (GNU), not cut', async () => {
    process.env.SOURCE_DATE_EPOCH = String(2 ** 33 + 5); // year 2242
    const tar = await tarOf([{ name: 'a', data: Buffer.from('a'), mode: 0o644 }]);
    const field = tar.subarray(136, 148);
    expect(field[0]).toBe(0x80);
    expect(field.readUIntBE(6, 6)).toBe(2 ** 33 + 5);
    expect(field.subarray(1, 6).every((x) => x === 0)).toBe(true);
    expect(readHeader(tar, 0).chksum).toBe(checksumOf(tar, 0));
  });
});

describe('entry facts', () => {
  it('SOURCE_DATE_EPOCH: whole seconds, trimmed; anything else refused', () => {
    expect(archiveMtime({})).toBe(DEFAULT_MTIME);
    expect(archiveMtime({ SOURCE_DATE_EPOCH: ' 1700000000 ' })).toBe(1700000000);
    for (const bad of ['1.5', '-1', '17e8', 'x1', '1x']) {
      expect(() => archiveMtime({ SOURCE_DATE_EPOCH: bad })).toThrow(
        `SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${bad}'`,
      );
    }
  });

  it('entry names: relative, no "..", no empty part; exactly one of path and data', () => {
    const d = Buffer.from('');
    for (const name of ['', '/abs', 'a/../b', '..', 'a//b', 'dir/']) {
      expect(() => checkEntry({ name, data: d, mode: 0o644 })).toThrow(
        `Archive entry name '${name}' must be a relative path without '..'`,
      );
    }
    expect(() => checkEntry({ name: 'a/b.c', data: d, mode: 0o644 })).not.toThrow();
    expect(() => checkEntry({ name: 'x', mode: 0o644 })).toThrow(
      "Archive entry 'x' needs exactly one of path and data",
    );
    expect(() => checkEntry({ name: 'x', path: '/p', data: d, mode: 0o644 })).toThrow(
      "Archive entry 'x' needs exactly one of path and data",
    );
  });
});
