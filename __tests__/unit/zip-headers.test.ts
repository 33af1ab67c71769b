/**
 * The zip writer's header fields read back (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16): Info-ZIP's
 * `unzip -t`, which the integration test uses, ignores "version needed", the UTF-8 flag, the
 * DOS time and the entry count of the end record; other readers do not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeZip } from '../../src/package/zip.js';
import type { ArchiveEntry } from '../../src/package/entries.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-headers-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.SOURCE_DATE_EPOCH;
});

let n = 0;
async function zipOf(entries: ArchiveEntry[]): Promise<Buffer> {
  const out = path.join(tmp, `z${n++}.zip`);
  await writeZip(out, entries);
  return fs.readFileSync(out);
}

/** DOS date and time as the fields hold them, decoded. */
function dosAt(b: Buffer, at: number): string {
  const time = b.readUInt16LE(at);
  const date = b.readUInt16LE(at + 2);
  const two = (x: number) => String(x).padStart(2, '0');
  return (
    `${(date >> 9) + 1980}-${two((date >> 5) & 15)}-${two(date & 31)} ` +
    `${two(time >> 11)}:${two((time >> 5) & 63)}:${two((time & 31) * 2)}`
  );
}

const one = (name = 'app'): ArchiveEntry[] => [{ name, data: Buffer.from('x'), mode: 0o755 }];

describe('writeZip headers', () => {
  it('local header: version 2.0 needed, UTF-8 names flagged, no extra field', async () => {
    const z = await zipOf(one('é'));
    expect(z.readUInt32LE(0)).toBe(0x04034b50);
    expect([z.readUInt16LE(4), z.readUInt16LE(6), z.readUInt16LE(28)]).toEqual([20, 0x0800, 0]);
    expect(z.subarray(30, 32).toString('utf8')).toBe('é');
    expect(dosAt(z, 10)).toBe('1980-01-01 00:00:00');
  });

  it('takes SOURCE_DATE_EPOCH as UTC, and clamps past what a DOS date holds', async () => {
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    expect(dosAt(await zipOf(one()), 10)).toBe('2023-11-14 22:13:20');
    process.env.SOURCE_DATE_EPOCH = '5000000000'; // 2128
    expect(dosAt(await zipOf(one()), 10)).toBe('2107-12-31 23:59:58');
  });

  it('the end record counts the entries, on this disk and in all', async () => {
    const entries = ['a', 'b', 'c'].map((name) => ({ name, data: Buffer.from(name), mode: 0o644 }));
    const z = await zipOf(entries);
    const end = z.length - 22;
    expect(z.readUInt32LE(end)).toBe(0x06054b50);
    expect([z.readUInt16LE(end + 8), z.readUInt16LE(end + 10)]).toEqual([3, 3]);
  });

  it('refuses an unsafe name before writing, and more entries than a zip without zip64 holds', async () => {
    const out = path.join(tmp, 'bad.zip');
    await expect(writeZip(out, one('../x'))).rejects.toThrow("Archive entry name '../x'");
    expect(fs.existsSync(out)).toBe(false);
    const many = Array.from({ length: 0x10000 }, (_, i) => ({
      name: `f${i}`,
      data: Buffer.alloc(0),
      mode: 0o644,
    }));
    await expect(writeZip(out, many)).rejects.toThrow(
      '65536 entries needs zip64, which this writer does not do; use archive-format tar.gz',
    );
    expect(fs.existsSync(out)).toBe(false);
    await writeZip(out, many.slice(1)); // 65535: the most a plain zip holds
    const z = fs.readFileSync(out);
    expect(z.readUInt16LE(z.length - 22 + 8)).toBe(0xffff);
  });

  it('leaves no partial file when an entry cannot be read', async () => {
    const out = path.join(tmp, 'partial.zip');
    const entries: ArchiveEntry[] = [
      ...one(),
      { name: 'gone', path: path.join(tmp, 'no-such-file'), mode: 0o644 },
    ];
    await expect(writeZip(out, entries)).rejects.toThrow(/ENOENT/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
