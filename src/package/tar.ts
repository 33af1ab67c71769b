/**
 * A ustar writer (POSIX.1-1988 headers, GNU extensions only where ustar runs out) streamed
 * through gzip, so archives need no `tar` binary on the runner and come out byte-identical for
 * identical inputs: fixed owner 0/0, no user names, one mtime for every entry.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { archiveMtime, checkEntry, entrySize, type ArchiveEntry } from './entries.js';

const BLOCK = 512;
const USTAR_MAGIC = 'ustar\u000000';
/** GNU tar's own magic; readers expect it on headers of GNU entry types such as 'L'. */
const GNU_MAGIC = 'ustar  \u0000';

interface HeaderFields {
  name: string;
  prefix?: string;
  mode: number;
  size: number;
  mtime: number;
  type: '0' | 'L';
  magic: string;
}

/** Octal, zero-padded, NUL-terminated; base-256 (a GNU extension) when octal does not fit. */
function writeNumber(buf: Buffer, offset: number, width: number, value: number): void {
  const octal = value.toString(8);
  if (octal.length < width) {
    buf.write(`${octal.padStart(width - 1, '0')}\u0000`, offset, 'ascii');
    return;
  }
  let rest = BigInt(value);
  for (let i = offset + width - 1; i > offset; i--) {
    buf[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  buf[offset] = 0x80;
}

function header(f: HeaderFields): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(f.name, 0, 100, 'utf8');
  writeNumber(buf, 100, 8, f.mode & 0o7777);
  writeNumber(buf, 108, 8, 0); // uid
  writeNumber(buf, 116, 8, 0); // gid
  writeNumber(buf, 124, 12, f.size);
  writeNumber(buf, 136, 12, f.mtime);
  buf.write(f.type, 156, 1, 'ascii');
  buf.write(f.magic, 257, 8, 'ascii');
  if (f.prefix) buf.write(f.prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as eight spaces.
  buf.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return buf;
}

/** ustar's prefix field holds up to 155 more bytes of directory, split at a '/'. */
function splitForUstar(name: string): { name: string; prefix?: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name };
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) {
      return { name: rest, prefix };
    }
  }
  return undefined;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The header block(s) for one entry: a GNU 'L' long-name record first when ustar cannot fit it. */
function entryHeaders(entry: ArchiveEntry, size: number, mtime: number): Buffer[] {
  const base = { mode: entry.mode, size, mtime, type: '0' as const };
  const ustar = splitForUstar(entry.name);
  if (ustar) return [header({ ...base, ...ustar, magic: USTAR_MAGIC })];
  const longName = Buffer.from(`${entry.name}\u0000`, 'utf8');
  const gnu = { mode: 0, size: longName.length, mtime, type: 'L' as const, magic: GNU_MAGIC };
  return [
    header({ ...gnu, name: '././@LongLink' }),
    longName,
    padding(longName.length),
    header({ ...base, name: entry.name, magic: GNU_MAGIC }),
  ];
}

async function* content(entry: ArchiveEntry, size: number): AsyncGenerator<Buffer> {
  if (entry.data) {
    yield entry.data;
    return;
  }
  let read = 0;
  for await (const chunk of fs.createReadStream(entry.path ?? '')) {
    const bytes = chunk as Buffer;
    read += bytes.length;
    // A header already promised `size` bytes; anything else would corrupt every later entry.
    if (read > size) break;
    yield bytes;
  }
  if (read !== size) throw new Error(`${entry.path ?? entry.name} changed size while archiving`);
}

async function* tarBlocks(entries: ArchiveEntry[], mtime: number): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const size = await entrySize(entry);
    yield* entryHeaders(entry, size, mtime);
    yield* content(entry, size);
    yield padding(size);
  }
  yield Buffer.alloc(2 * BLOCK); // end-of-archive marker
}

/**
 * Writes a gzip-compressed ustar archive. Entries keep their mode (so executables stay +x) and
 * get the SOURCE_DATE_EPOCH / fixed mtime; on failure no partial archive is left behind.
 */
export async function writeTarGz(outPath: string, entries: ArchiveEntry[]): Promise<void> {
  entries.forEach(checkEntry);
  const mtime = archiveMtime();
  try {
    await pipeline(
      Readable.from(tarBlocks(entries, mtime)),
      zlib.createGzip({ level: 9 }),
      fs.createWriteStream(outPath),
    );
  } catch (err) {
    await fs.promises.rm(outPath, { force: true });
    throw err;
  }
}
