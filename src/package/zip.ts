/**
 * A zip writer (PKWARE APPNOTE 2.0 subset: deflate or store, no zip64) for users who want .zip
 * downloads. Entries are marked as made on unix with their mode in the external attributes, so
 * `unzip` and most unix tools restore the +x bit.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { archiveMtime, checkEntry, entryBytes, type ArchiveEntry } from './entries.js';

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const END_SIG = 0x06054b50;
const VERSION = 20; // 2.0: deflate
const MADE_BY_UNIX = (3 << 8) | VERSION;
const FLAG_UTF8 = 0x0800;
const S_IFREG = 0o100000;
const MAX_U32 = 0xffffffff;

// node 20's zlib has no crc32() (added in 22.2), hence the table.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS date/time, in UTC so the archive does not depend on the runner's time zone. */
function dosDateTime(seconds: number): { time: number; date: number } {
  const min = Date.UTC(1980, 0, 1) / 1000;
  const max = Date.UTC(2107, 11, 31, 23, 59, 58) / 1000;
  const d = new Date(Math.min(Math.max(seconds, min), max) * 1000);
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  return { time, date };
}

interface ZipRecord {
  name: Buffer;
  method: 0 | 8;
  crc: number;
  compressedSize: number;
  size: number;
  mode: number;
  offset: number;
}

/** The fields local and central headers share, from "version needed" to "extra length". */
function commonFields(r: ZipRecord, when: { time: number; date: number }): Buffer {
  const buf = Buffer.alloc(26);
  buf.writeUInt16LE(VERSION, 0);
  buf.writeUInt16LE(FLAG_UTF8, 2);
  buf.writeUInt16LE(r.method, 4);
  buf.writeUInt16LE(when.time, 6);
  buf.writeUInt16LE(when.date, 8);
  buf.writeUInt32LE(r.crc, 10);
  buf.writeUInt32LE(r.compressedSize, 14);
  buf.writeUInt32LE(r.size, 18);
  buf.writeUInt16LE(r.name.length, 22);
  buf.writeUInt16LE(0, 24); // extra field length
  return buf;
}

function localHeader(r: ZipRecord, when: { time: number; date: number }): Buffer {
  const sig = Buffer.alloc(4);
  sig.writeUInt32LE(LOCAL_SIG);
  return Buffer.concat([sig, commonFields(r, when), r.name]);
}

function centralHeader(r: ZipRecord, when: { time: number; date: number }): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32LE(CENTRAL_SIG, 0);
  head.writeUInt16LE(MADE_BY_UNIX, 4);
  const tail = Buffer.alloc(14); // comment length, start disk, internal attributes: all 0
  tail.writeUInt32LE(((S_IFREG | (r.mode & 0o7777)) << 16) >>> 0, 6);
  tail.writeUInt32LE(r.offset, 10);
  return Buffer.concat([head, commonFields(r, when), tail, r.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const buf = Buffer.alloc(22);
  buf.writeUInt32LE(END_SIG, 0);
  buf.writeUInt16LE(count, 8);
  buf.writeUInt16LE(count, 10);
  buf.writeUInt32LE(size, 12);
  buf.writeUInt32LE(offset, 16);
  return buf;
}

function tooBig(what: string): Error {
  return new Error(`${what} needs zip64, which this writer does not do; use archive-format tar.gz`);
}

/**
 * Writes a zip with each entry deflated (or stored when deflate does not help). Entries are read
 * into memory one at a time: release binaries are small next to the runner's RAM.
 */
export async function writeZip(outPath: string, entries: ArchiveEntry[]): Promise<void> {
  entries.forEach(checkEntry);
  if (entries.length > 0xffff) throw tooBig(`${entries.length} entries`);
  const when = dosDateTime(archiveMtime());
  const file = await fs.promises.open(outPath, 'w');
  try {
    const central: Buffer[] = [];
    let offset = 0;
    for (const entry of entries) {
      const data = await entryBytes(entry);
      const deflated = zlib.deflateRawSync(data, { level: 9 });
      const stored = deflated.length >= data.length;
      const body = stored ? data : deflated;
      if (data.length > MAX_U32 || offset + body.length > MAX_U32) throw tooBig(entry.name);
      const r: ZipRecord = {
        name: Buffer.from(entry.name, 'utf8'),
        method: stored ? 0 : 8,
        crc: crc32(data),
        compressedSize: body.length,
        size: data.length,
        mode: entry.mode,
        offset,
      };
      const local = localHeader(r, when);
      await file.write(local);
      await file.write(body);
      central.push(centralHeader(r, when));
      offset += local.length + body.length;
    }
    const directory = Buffer.concat(central);
    await file.write(directory);
    await file.write(endOfCentralDirectory(entries.length, directory.length, offset));
  } catch (err) {
    await file.close();
    await fs.promises.rm(outPath, { force: true });
    throw err;
  }
  await file.close();
}
