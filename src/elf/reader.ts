/**
 * Bounds-checked little/big-endian reads over an ELF image. Every read validates its range first,
 * so malformed input surfaces as an ElfError naming what was being read instead of a RangeError.
 */

/** The file is not a well-formed ELF image; the message says which part is broken. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

const decoder = new TextDecoder('utf-8');

export class Reader {
  readonly bytes: Uint8Array;
  readonly length: number;
  /** Raw access for hot loops that have already validated their whole range with need(). */
  readonly view: DataView;
  readonly le: boolean;
  readonly is64: boolean;

  constructor(bytes: Uint8Array, littleEndian: boolean, is64: boolean) {
    this.bytes = bytes;
    this.length = bytes.byteLength;
    // A view over the caller's memory: no copy, however large the binary.
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = littleEndian;
    this.is64 = is64;
  }

  /** Throws unless [offset, offset+size) lies inside the file. */
  need(offset: number, size: number, what: string): void {
    // Written so that NaN fails too; offsets come from integer fields, never fractions.
    if (!(offset >= 0 && size >= 0 && offset + size <= this.length)) {
      throw new ElfError(`truncated: ${what} extends past end of file`);
    }
  }

  u8(offset: number, what: string): number {
    this.need(offset, 1, what);
    return this.view.getUint8(offset);
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, this.le);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, this.le);
  }

  /** High and low 32-bit halves of a 64-bit field (BigInt is needlessly slow in hot paths). */
  private halves(offset: number, what: string): [number, number] {
    this.need(offset, 8, what);
    const a = this.view.getUint32(offset, this.le);
    const b = this.view.getUint32(offset + 4, this.le);
    return this.le ? [b, a] : [a, b];
  }

  /** A 64-bit size or offset: must be exactly representable, or it cannot index this file. */
  u64(offset: number, what: string): number {
    const [hi, lo] = this.halves(offset, what);
    if (hi > 0x1fffff) throw new ElfError(`${what} is impossibly large`);
    return hi * 0x100000000 + lo;
  }

  /**
   * A 64-bit address. Linux user space ends far below 2^53, so rounding only affects addresses
   * that no loader would accept anyway; comparisons stay meaningful.
   */
  addr64(offset: number, what: string): number {
    const [hi, lo] = this.halves(offset, what);
    return hi * 0x100000000 + lo;
  }

  /** Word-sized (Elf32_Word / Elf64_Xword) size or offset. */
  word(offset: number, what: string): number {
    return this.is64 ? this.u64(offset, what) : this.u32(offset, what);
  }

  /** Word-sized address (Elf32_Addr / Elf64_Addr). */
  addr(offset: number, what: string): number {
    return this.is64 ? this.addr64(offset, what) : this.u32(offset, what);
  }

  /** NUL-terminated string starting at `offset`, which must end before `limit`. */
  cstr(offset: number, limit: number, what: string): string {
    const end = Math.min(limit, this.length);
    if (!(offset >= 0 && offset < end)) {
      throw new ElfError(`${what}: string offset ${offset} lies outside its table`);
    }
    const nul = this.bytes.indexOf(0, offset);
    if (nul < 0 || nul >= end) throw new ElfError(`${what}: string is not NUL-terminated`);
    return decoder.decode(this.bytes.subarray(offset, nul));
  }

  /** True if the NUL-terminated string at `offset` equals `ascii`, without decoding it. */
  cstrEquals(offset: number, limit: number, ascii: Uint8Array): boolean {
    if (offset < 0 || offset + ascii.length >= Math.min(limit, this.length)) return false;
    for (let i = 0; i < ascii.length; i++) {
      if (this.bytes[offset + i] !== ascii[i]) return false;
    }
    return this.bytes[offset + ascii.length] === 0;
  }
}

/** ULEB128 from `bytes[pos..end)`: returns the value and the position after it. */
export function readUleb(
  bytes: Uint8Array,
  pos: number,
  end: number,
  what: string,
): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < end; i++) {
    const b = bytes[i] ?? 0;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, i + 1];
    scale *= 128;
    // Attribute values are small; more than 8 groups means garbage, not a real number.
    if (i - pos >= 7) throw new ElfError(`${what}: ULEB128 value is too long`);
  }
  throw new ElfError(`truncated: ${what} ends inside a ULEB128 value`);
}
