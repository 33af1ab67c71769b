/** ELF file header, program header table and section header table. */
import { ElfError, Reader } from './reader.js';
import { PT_LOAD, type ProgramHeader, type SectionHeader } from './types.js';

export interface FileHeader {
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  readonly osabi: number;
  readonly type: number;
  readonly machine: number;
  readonly entry: number;
  readonly phoff: number;
  readonly shoff: number;
  readonly flags: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

const PN_XNUM = 0xffff;
const SHN_XINDEX = 0xffff;

/** Validates e_ident and returns a reader configured for the file's class and byte order. */
export function openElf(bytes: Uint8Array): Reader {
  if (
    bytes.byteLength < 4 ||
    bytes[0] !== 0x7f ||
    bytes[1] !== 0x45 ||
    bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  ) {
    throw new ElfError('not an ELF file (bad magic)');
  }
  if (bytes.byteLength < 16) throw new ElfError('truncated: ELF identification is incomplete');
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw new ElfError(`unknown ELF class ${cls} (expected 1 or 2)`);
  if (data !== 1 && data !== 2) throw new ElfError(`unknown ELF data encoding ${data}`);
  const r = new Reader(bytes, data === 1, cls === 2);
  r.need(0, cls === 2 ? 64 : 52, 'ELF header');
  return r;
}

export function readFileHeader(r: Reader): FileHeader {
  const w = r.is64 ? 8 : 4; // width of address/offset fields
  const after = 24 + 3 * w; // e_flags follows e_entry, e_phoff, e_shoff
  return {
    bits: r.is64 ? 64 : 32,
    endian: r.bytes[5] === 1 ? 'little' : 'big',
    osabi: r.u8(7, 'e_ident'),
    type: r.u16(16, 'e_type'),
    machine: r.u16(18, 'e_machine'),
    entry: r.addr(24, 'e_entry'),
    phoff: r.word(24 + w, 'e_phoff'),
    shoff: r.word(24 + 2 * w, 'e_shoff'),
    flags: r.u32(after, 'e_flags'),
    phentsize: r.u16(after + 6, 'e_phentsize'),
    phnum: r.u16(after + 8, 'e_phnum'),
    shentsize: r.u16(after + 10, 'e_shentsize'),
    shnum: r.u16(after + 12, 'e_shnum'),
    shstrndx: r.u16(after + 14, 'e_shstrndx'),
  };
}

/** Offsets of the section-0 fields that carry overflowed counts (extended numbering). */
function section0(r: Reader, h: FileHeader): { size: number; link: number; info: number } | null {
  if (h.shoff === 0) return null;
  const base = h.shoff;
  r.need(base, r.is64 ? 64 : 40, 'section header 0');
  return r.is64
    ? {
        size: r.u64(base + 32, 'sh_size'),
        link: r.u32(base + 40, 'sh_link'),
        info: r.u32(base + 44, 'sh_info'),
      }
    : {
        size: r.u32(base + 20, 'sh_size'),
        link: r.u32(base + 24, 'sh_link'),
        info: r.u32(base + 28, 'sh_info'),
      };
}

/** Table bounds: entry size large enough and every entry inside the file. */
function checkTable(
  r: Reader,
  off: number,
  num: number,
  entsize: number,
  min: number,
  what: string,
) {
  if (num === 0) return;
  if (entsize < min) throw new ElfError(`${what} entry size ${entsize} is smaller than ${min}`);
  if (num > r.length / entsize + 1)
    throw new ElfError(`truncated: ${what} extends past end of file`);
  r.need(off, num * entsize, what);
}

export function readProgramHeaders(r: Reader, h: FileHeader): ProgramHeader[] {
  let num = h.phnum;
  if (num === PN_XNUM) num = section0(r, h)?.info ?? 0;
  if (h.phoff === 0) num = 0;
  checkTable(r, h.phoff, num, h.phentsize, r.is64 ? 56 : 32, 'program header table');
  const out: ProgramHeader[] = [];
  for (let i = 0; i < num; i++) {
    const b = h.phoff + i * h.phentsize;
    const ph = r.is64
      ? {
          type: r.u32(b, 'p_type'),
          flags: r.u32(b + 4, 'p_flags'),
          offset: r.u64(b + 8, 'p_offset'),
          vaddr: r.addr64(b + 16, 'p_vaddr'),
          filesz: r.u64(b + 32, 'p_filesz'),
          memsz: r.addr64(b + 40, 'p_memsz'),
        }
      : {
          type: r.u32(b, 'p_type'),
          offset: r.u32(b + 4, 'p_offset'),
          vaddr: r.u32(b + 8, 'p_vaddr'),
          filesz: r.u32(b + 16, 'p_filesz'),
          memsz: r.u32(b + 20, 'p_memsz'),
          flags: r.u32(b + 24, 'p_flags'),
        };
    // A loadable segment cut short is the usual sign of an incomplete download or copy.
    if (ph.type === PT_LOAD) r.need(ph.offset, ph.filesz, `PT_LOAD segment ${i}`);
    out.push(ph);
  }
  return out;
}

interface RawSection extends Omit<SectionHeader, 'name'> {
  readonly nameOffset: number;
}

function readRawSection(r: Reader, b: number): RawSection {
  return r.is64
    ? {
        nameOffset: r.u32(b, 'sh_name'),
        type: r.u32(b + 4, 'sh_type'),
        flags: r.addr64(b + 8, 'sh_flags'),
        addr: r.addr64(b + 16, 'sh_addr'),
        offset: r.u64(b + 24, 'sh_offset'),
        size: r.u64(b + 32, 'sh_size'),
        link: r.u32(b + 40, 'sh_link'),
        info: r.u32(b + 44, 'sh_info'),
        entsize: r.u64(b + 56, 'sh_entsize'),
      }
    : {
        nameOffset: r.u32(b, 'sh_name'),
        type: r.u32(b + 4, 'sh_type'),
        flags: r.u32(b + 8, 'sh_flags'),
        addr: r.u32(b + 12, 'sh_addr'),
        offset: r.u32(b + 16, 'sh_offset'),
        size: r.u32(b + 20, 'sh_size'),
        link: r.u32(b + 24, 'sh_link'),
        info: r.u32(b + 28, 'sh_info'),
        entsize: r.u32(b + 36, 'sh_entsize'),
      };
}

export function readSections(r: Reader, h: FileHeader): SectionHeader[] {
  if (h.shoff === 0) return [];
  let num = h.shnum;
  let strndx = h.shstrndx;
  if (num === 0 || strndx === SHN_XINDEX) {
    const s0 = section0(r, h);
    if (num === 0) num = s0?.size ?? 0;
    if (strndx === SHN_XINDEX) strndx = s0?.link ?? 0;
  }
  checkTable(r, h.shoff, num, h.shentsize, r.is64 ? 64 : 40, 'section header table');
  const raw: RawSection[] = [];
  for (let i = 0; i < num; i++) raw.push(readRawSection(r, h.shoff + i * h.shentsize));
  const names = strndx === 0 ? null : raw[strndx];
  if (strndx !== 0 && !names) {
    throw new ElfError(`e_shstrndx ${strndx} is not a section (only ${num} sections)`);
  }
  if (names) r.need(names.offset, names.size, 'section name table');
  const nameOf = (s: RawSection) =>
    names ? r.cstr(names.offset + s.nameOffset, names.offset + names.size, 'section name') : '';
  return raw.map((s) => named(s, nameOf(s)));
}

/** Spelled out: object rest/spread is measurably slow here and this runs per section. */
function named(s: RawSection, name: string): SectionHeader {
  const { type, flags, addr, offset, size, link, info, entsize } = s;
  return { name, type, flags, addr, offset, size, link, info, entsize };
}

/** File offset of virtual address `vaddr`, via the PT_LOAD that maps it; null if unmapped. */
export function vaddrToOffset(phdrs: readonly ProgramHeader[], vaddr: number): number | null {
  for (const p of phdrs) {
    if (p.type === PT_LOAD && vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) {
      return p.offset + (vaddr - p.vaddr);
    }
  }
  return null;
}
