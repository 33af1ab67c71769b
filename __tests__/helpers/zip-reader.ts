/**
 * Minimal zip reader for test assertions: walks the central directory (sizes live only there
 * when the writer streamed entries with data descriptors, as archiver does), inflates or copies
 * each entry and checks its CRC-32. Zip64 is not handled: test artifacts are small.
 */
import zlib from 'node:zlib';

export interface ZipEntry {
  data: Buffer;
  /** Unix permission bits, when the entry was made on a unix host (version-made-by high byte 3). */
  mode?: number;
}

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The EOCD record is 22 bytes plus a comment of up to 64 KiB, so scan backwards.
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) return i;
  }
  throw new Error('not a zip: no end-of-central-directory record');
}

function entryData(buf: Buffer, localOffset: number, method: number, csize: number): Buffer {
  if (buf.readUInt32LE(localOffset) !== LOCAL_SIG) throw new Error('bad local file header');
  const start =
    localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
  const raw = buf.subarray(start, start + csize);
  if (method === 0) return Buffer.from(raw);
  if (method === 8) return zlib.inflateRawSync(raw);
  throw new Error(`unsupported zip compression method ${method}`);
}

/** Entries by name (directories included, with a trailing '/'). */
export function readZip(buf: Buffer): Map<string, ZipEntry> {
  if (buf.length < 22) throw new Error('not a zip: too short');
  const eocd = findEndOfCentralDirectory(buf);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== CENTRAL_SIG)
      throw new Error(`bad central directory header at ${p}`);
    const madeByHost = buf.readUInt8(p + 5);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const data = entryData(buf, buf.readUInt32LE(p + 42), method, csize);
    if (data.length !== usize) throw new Error(`size mismatch for ${name}`);
    if (crc32(data) !== crc) throw new Error(`CRC mismatch for ${name}`);
    const mode = madeByHost === 3 ? (external >>> 16) & 0o7777 : undefined;
    entries.set(name, mode === undefined ? { data } : { data, mode });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
