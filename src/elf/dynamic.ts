/** The dynamic segment, `.gnu.version_r` (found through it, as the loader does) and symbols. */
import { vaddrToOffset } from './headers.js';
import { ElfError, Reader } from './reader.js';
import {
  PT_DYNAMIC,
  SHT_DYNSYM,
  SHT_SYMTAB,
  type DynamicInfo,
  type ProgramHeader,
  type SectionHeader,
  type VersionNeed,
} from './types.js';

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_FLAGS_1 = 0x6ffffffb;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

interface RawDynamic {
  /** Every entry before DT_NULL, tag → values (DT_NEEDED repeats). */
  readonly entries: Map<number, number[]>;
}

function readDynamicEntries(r: Reader, seg: ProgramHeader): RawDynamic {
  r.need(seg.offset, seg.filesz, 'PT_DYNAMIC segment');
  const size = r.is64 ? 16 : 8;
  const entries = new Map<number, number[]>();
  for (let off = seg.offset; off + size <= seg.offset + seg.filesz; off += size) {
    const tag = r.addr(off, 'dynamic tag');
    if (tag === DT_NULL) break;
    const val = r.addr(off + size / 2, 'dynamic value');
    const list = entries.get(tag);
    if (list) list.push(val);
    else entries.set(tag, [val]);
  }
  return { entries };
}

/** Locates the dynamic string table; strings are then read as offsets inside [start, end). */
function dynamicStrings(r: Reader, phdrs: readonly ProgramHeader[], raw: RawDynamic) {
  const addr = raw.entries.get(DT_STRTAB)?.[0];
  const size = raw.entries.get(DT_STRSZ)?.[0] ?? 0;
  if (addr === undefined) return null;
  const start = vaddrToOffset(phdrs, addr);
  if (start === null) throw new ElfError('DT_STRTAB address is not inside any PT_LOAD segment');
  r.need(start, size, 'dynamic string table');
  return {
    get(offset: number, what: string): string {
      return r.cstr(start + offset, start + size, what);
    },
  };
}

type Strings = NonNullable<ReturnType<typeof dynamicStrings>>;

export interface DynamicParse {
  readonly dynamic: DynamicInfo | null;
  readonly versionNeeds: VersionNeed[];
}

export function readDynamic(r: Reader, phdrs: readonly ProgramHeader[]): DynamicParse {
  const seg = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (!seg) return { dynamic: null, versionNeeds: [] };
  const raw = readDynamicEntries(r, seg);
  const strings = dynamicStrings(r, phdrs, raw);
  const str = (tag: number, what: string): string[] => {
    const vals = raw.entries.get(tag) ?? [];
    if (vals.length > 0 && !strings) throw new ElfError(`${what} present but no DT_STRTAB`);
    return strings ? vals.map((v) => strings.get(v, what)) : [];
  };
  const dynamic: DynamicInfo = {
    needed: str(DT_NEEDED, 'DT_NEEDED'),
    soname: str(DT_SONAME, 'DT_SONAME')[0] ?? null,
    rpath: str(DT_RPATH, 'DT_RPATH')[0] ?? null,
    runpath: str(DT_RUNPATH, 'DT_RUNPATH')[0] ?? null,
    flags1: raw.entries.get(DT_FLAGS_1)?.[0] ?? 0,
  };
  return { dynamic, versionNeeds: strings ? readVersionNeeds(r, phdrs, raw, strings) : [] };
}

/**
 * Walks the Elf_Verneed chain. Entries are 16 bytes, so a well-formed table never visits more
 * than length/16 records: that budget stops crafted vn_next/vna_next chains from spinning.
 */
function readVersionNeeds(
  r: Reader,
  phdrs: readonly ProgramHeader[],
  raw: RawDynamic,
  strings: Strings,
): VersionNeed[] {
  const addr = raw.entries.get(DT_VERNEED)?.[0];
  const count = raw.entries.get(DT_VERNEEDNUM)?.[0] ?? 0;
  if (addr === undefined || count === 0) return [];
  let off = vaddrToOffset(phdrs, addr);
  if (off === null) throw new ElfError('DT_VERNEED address is not inside any PT_LOAD segment');
  let budget = Math.floor(r.length / 16);
  const spend = () => {
    if (--budget < 0) throw new ElfError('.gnu.version_r entries overlap or loop');
  };
  const out: VersionNeed[] = [];
  for (let i = 0; i < count; i++) {
    spend();
    const cnt = r.u16(off + 2, 'vn_cnt');
    const file = strings.get(r.u32(off + 4, 'vn_file'), 'version need file name');
    const versions: string[] = [];
    let aux = off + r.u32(off + 8, 'vn_aux');
    for (let j = 0; j < cnt; j++) {
      spend();
      versions.push(strings.get(r.u32(aux + 8, 'vna_name'), 'version name'));
      const next = r.u32(aux + 12, 'vna_next');
      if (next === 0) break;
      aux += next;
    }
    out.push({ file, versions });
    const next = r.u32(off + 12, 'vn_next');
    if (next === 0) break;
    off += next;
  }
  return out;
}

const START = new TextEncoder().encode('_start');

/**
 * Whether a symbol table defines `_start`. Static binaries carry thousands of symbols, so the
 * table and its strings are bounds-checked once and then scanned raw, comparing names in place.
 */
function definesStart(r: Reader, sections: readonly SectionHeader[], sym: SectionHeader): boolean {
  const strtab = sections[sym.link];
  if (!strtab) throw new ElfError(`symbol table ${sym.name} links to missing section ${sym.link}`);
  r.need(sym.offset, sym.size, `symbol table ${sym.name}`);
  r.need(strtab.offset, strtab.size, `string table for ${sym.name}`);
  const entsize = r.is64 ? 24 : 16;
  const count = Math.floor(sym.size / entsize);
  // _start is global, and globals follow the locals (sh_info is the first global's index).
  const firstGlobal = Math.min(sym.info, count);
  return (
    scanForStart(r, sym.offset, firstGlobal, count, strtab) ||
    scanForStart(r, sym.offset, 0, firstGlobal, strtab)
  );
}

function scanForStart(r: Reader, table: number, from: number, to: number, strtab: SectionHeader) {
  const { view, bytes, le } = r;
  const entsize = r.is64 ? 24 : 16;
  const shndxAt = r.is64 ? 6 : 14;
  const limit = strtab.size - START.length;
  for (let i = from; i < to; i++) {
    const off = table + i * entsize;
    const name = view.getUint32(off, le);
    if (
      name < limit &&
      bytes[strtab.offset + name] === 0x5f &&
      r.cstrEquals(strtab.offset + name, strtab.offset + strtab.size, START) &&
      view.getUint16(off + shndxAt, le) !== 0
    ) {
      return true;
    }
  }
  return false;
}

export function readSymbols(r: Reader, sections: readonly SectionHeader[]) {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const hasStart =
    (symtab !== undefined && definesStart(r, sections, symtab)) ||
    (dynsym !== undefined && definesStart(r, sections, dynsym));
  return { hasSymtab: symtab !== undefined, hasDynsym: dynsym !== undefined, hasStart };
}
