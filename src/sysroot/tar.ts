/**
 * A tar reader for .deb data members: ustar and GNU headers, GNU long names/links (`L`/`K`) and
 * pax extended headers (`x`; global `g` ignored). Pure: entries out, nothing written.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  name: string;
  type: TarEntryType;
  mode: number;
  linkname: string;
  data: Buffer;
  /** The raw type flag, for what 'other' was (char/block devices, fifos). */
  flag: string;
}

const BLOCK = 512;

function readString(buf: Buffer, off: number, len: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('utf8', off, end >= 0 && end < off + len ? end : off + len);
}

function readNumber(buf: Buffer, off: number, len: number): number {
  if ((buf[off] as number) & 0x80) {
    // GNU base-256: big-endian, top bit of the first byte set.
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + (buf[i] as number);
    return v;
  }
  const text = buf
    .toString('latin1', off, off + len)
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`bad octal number '${text}' in tar header`);
  return parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  let want: number;
  try {
    want = readNumber(h, 148, 8);
  } catch {
    return false;
  }
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] as number);
  return sum === want;
}

/** pax records: `<len> <key>=<value>\n`. */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', off, sp));
    if (!Number.isInteger(len) || len <= 0) throw new Error('bad pax record');
    const rec = data.toString('utf8', sp + 1, off + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

export function readTar(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let off = 0;
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Record<string, string> = {};
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(h)) throw new Error(`bad tar header checksum at byte ${off}`);
    const flag = String.fromCharCode(h[156] as number);
    const size = readNumber(h, 124, 12);
    const start = off + BLOCK;
    if (start + size > buf.length) throw new Error(`truncated tar entry at byte ${off}`);
    const data = buf.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'L') {
      longName = readString(data, 0, data.length);
      continue;
    }
    if (flag === 'K') {
      longLink = readString(data, 0, data.length);
      continue;
    }
    if (flag === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (flag === 'g') continue;
    let name = readString(h, 0, 100);
    const magic = h.toString('latin1', 257, 263);
    if (magic === 'ustar\0') {
      const prefix = readString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    name = pax['path'] ?? longName ?? name;
    const linkname = pax['linkpath'] ?? longLink ?? readString(h, 157, 100);
    longName = null;
    longLink = null;
    pax = {};
    const type: TarEntryType =
      flag === '0' || flag === '\0' || flag === '7'
        ? 'file'
        : flag === '5'
          ? 'directory'
          : flag === '2'
            ? 'symlink'
            : flag === '1'
              ? 'hardlink'
              : 'other';
    entries.push({ name, type, mode: readNumber(h, 100, 8), linkname, data, flag });
  }
  return entries;
}
