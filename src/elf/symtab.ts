/**
 * The static symbol table (.symtab) of a 32-bit ARM ELF, reduced to what an instruction scan
 * needs: the mapping symbols that say where ARM code, Thumb code and data lie ($a / $t / $d,
 * AAELF32 §5.5.5, also as `$a.N`), and the code labels that name the function an address is in.
 */
import { ElfError, type Reader } from './reader.js';
import { SHT_SYMTAB, type SectionHeader } from './types.js';

export type MappingKind = 'arm' | 'thumb' | 'data';

export interface MappingSymbol {
  readonly section: number;
  readonly addr: number;
  readonly kind: MappingKind;
}

export interface CodeLabel {
  readonly section: number;
  /** Start address with the Thumb bit cleared. */
  readonly addr: number;
  readonly size: number;
  readonly name: string;
  readonly func: boolean;
}

export interface ArmSymbols {
  readonly mapping: MappingSymbol[];
  readonly labels: CodeLabel[];
}

const STT_NOTYPE = 0;
const STT_FUNC = 2;
const SHN_LORESERVE = 0xff00;
const DOLLAR = 0x24;
const DOT = 0x2e;
const KINDS: Readonly<Record<number, MappingKind>> = { 0x61: 'arm', 0x74: 'thumb', 0x64: 'data' };

/**
 * Reads .symtab; null when the file has none (stripped). Names are only decoded for function and
 * untyped symbols in sections, so tens of thousands of symbols cost a few milliseconds.
 */
export function readArmSymbols(r: Reader, sections: readonly SectionHeader[]): ArmSymbols | null {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return null;
  const strtab = sections[symtab.link];
  if (!strtab) throw new ElfError(`.symtab links to missing section ${symtab.link}`);
  r.need(symtab.offset, symtab.size, '.symtab');
  r.need(strtab.offset, strtab.size, '.symtab string table');
  const { view, bytes, le } = r;
  const strEnd = strtab.offset + strtab.size;
  const mapping: MappingSymbol[] = [];
  const labels: CodeLabel[] = [];
  for (let off = symtab.offset; off + 16 <= symtab.offset + symtab.size; off += 16) {
    const info = bytes[off + 12] ?? 0;
    const type = info & 0xf;
    const shndx = view.getUint16(off + 14, le);
    if ((type !== STT_NOTYPE && type !== STT_FUNC) || shndx === 0 || shndx >= SHN_LORESERVE) {
      continue;
    }
    const name = strtab.offset + view.getUint32(off, le);
    if (name >= strEnd) throw new ElfError('.symtab symbol name lies outside its string table');
    const value = view.getUint32(off + 4, le);
    const kind = mappingKind(bytes, name, strEnd);
    if (kind) {
      mapping.push({ section: shndx, addr: value, kind });
    } else if (bytes[name] !== 0) {
      const size = view.getUint32(off + 8, le);
      const label = r.cstr(name, strEnd, '.symtab symbol name');
      labels.push({ section: shndx, addr: value & ~1, size, name: label, func: type === STT_FUNC });
    }
  }
  return { mapping, labels };
}

/** `$a`, `$t`, `$d`, optionally followed by `.anything`; anything else is an ordinary symbol. */
function mappingKind(bytes: Uint8Array, at: number, end: number): MappingKind | null {
  if (bytes[at] !== DOLLAR || at + 2 > end) return null;
  const kind = KINDS[bytes[at + 1] ?? 0];
  const next = bytes[at + 2];
  return kind && (next === 0 || next === DOT) ? kind : null;
}
