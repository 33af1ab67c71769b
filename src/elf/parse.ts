/**
 * Pure ELF reader: bytes in, facts out. Reads only headers and the few small sections it needs,
 * through a DataView over the caller's buffer, so a multi-megabyte binary costs microseconds.
 * Anything malformed throws ElfError; every loop is bounded by the table sizes it walks.
 */
import { readArmAttributes } from './attributes.js';
import { readDynamic, readSymbols } from './dynamic.js';
import { openElf, readFileHeader, readProgramHeaders, readSections } from './headers.js';
import { machineName } from './names.js';
import { ElfError, type Reader } from './reader.js';
import {
  DF_1_PIE,
  EF_ARM_ABI_FLOAT_HARD,
  EF_ARM_ABI_FLOAT_SOFT,
  ET_DYN,
  PF_X,
  PT_INTERP,
  PT_LOAD,
  SHT_ARM_ATTRIBUTES,
  type DynamicInfo,
  type ParsedElf,
  type ProgramHeader,
  type VersionNeed,
} from './types.js';
import { EM_ARM, compareVersions } from '../targets/table.js';

export { ElfError } from './reader.js';
export type * from './types.js';

export function parseElf(bytes: Uint8Array): ParsedElf {
  const r = openElf(bytes);
  const h = readFileHeader(r);
  const programHeaders = readProgramHeaders(r, h);
  const sections = readSections(r, h);
  const interpreter = readInterpreter(r, programHeaders);
  const { dynamic, versionNeeds } = readDynamic(r, programHeaders);
  const attrSection = sections.find((s) => s.type === SHT_ARM_ATTRIBUTES);
  const armAttributes =
    h.machine === EM_ARM && attrSection
      ? readArmAttributes(r, attrSection.offset, attrSection.size)
      : null;
  const kind = classify(h.type, h.entry, interpreter, dynamic);
  return {
    bits: h.bits,
    endian: h.endian,
    osabi: h.osabi,
    type: h.type,
    machine: h.machine,
    machineName: machineName(h.machine),
    flags: h.flags,
    arm: h.machine === EM_ARM ? decodeArmFlags(h.flags) : null,
    entry: h.entry,
    programHeaders,
    sections,
    interpreter,
    dynamic,
    versionNeeds,
    armAttributes,
    symbols: readSymbols(r, sections),
    entryInExecutableSegment: entryInCode(programHeaders, h.entry, h.machine),
    ...kind,
    maxGlibc: maxGlibcVersion(versionNeeds),
  };
}

function readInterpreter(r: Reader, phdrs: readonly ProgramHeader[]): string | null {
  const p = phdrs.find((ph) => ph.type === PT_INTERP);
  if (!p) return null;
  r.need(p.offset, p.filesz, 'PT_INTERP segment');
  if (p.filesz === 0) throw new ElfError('PT_INTERP segment is empty');
  return r.cstr(p.offset, p.offset + p.filesz, 'PT_INTERP path');
}

type Kind = Pick<ParsedElf, 'linkage' | 'isSharedLibrary' | 'pie'>;

function classify(
  type: number,
  entry: number,
  interp: string | null,
  dyn: DynamicInfo | null,
): Kind {
  if (interp !== null) return { linkage: 'dynamic', isSharedLibrary: false, pie: type === ET_DYN };
  if (type !== ET_DYN) return { linkage: 'static', isSharedLibrary: false, pie: false };
  // Older linkers do not set DF_1_PIE; an ET_DYN with a real entry point and no libraries to
  // load is still a self-relocating static-pie rather than a library.
  const flagged = ((dyn?.flags1 ?? 0) & DF_1_PIE) !== 0;
  if (flagged || (entry !== 0 && (dyn?.needed.length ?? 0) === 0)) {
    return { linkage: 'static-pie', isSharedLibrary: false, pie: true };
  }
  return { linkage: 'dynamic', isSharedLibrary: true, pie: false };
}

function decodeArmFlags(flags: number): NonNullable<ParsedElf['arm']> {
  const floatAbi =
    flags & EF_ARM_ABI_FLOAT_HARD ? 'hard' : flags & EF_ARM_ABI_FLOAT_SOFT ? 'soft' : 'unspecified';
  return { eabiVersion: flags >>> 24, floatAbi };
}

function entryInCode(phdrs: readonly ProgramHeader[], entry: number, machine: number): boolean {
  // ARM entry points with bit 0 set start in Thumb state; the instruction is at entry & ~1.
  const addr = machine === EM_ARM ? entry - (entry % 2) : entry;
  return phdrs.some(
    (p) =>
      p.type === PT_LOAD && (p.flags & PF_X) !== 0 && addr >= p.vaddr && addr < p.vaddr + p.memsz,
  );
}

/** Version names that imply a glibc release without carrying its number. */
const GLIBC_MARKERS: Readonly<Record<string, string>> = { GLIBC_ABI_DT_RELR: '2.36' };

/** 'GLIBC_2.34' → '2.34'; null for versions that say nothing about the glibc release. */
export function glibcVersionOf(name: string): string | null {
  return /^GLIBC_(\d+(?:\.\d+)*)$/.exec(name)?.[1] ?? GLIBC_MARKERS[name] ?? null;
}

export function maxGlibcVersion(needs: readonly VersionNeed[]): string | null {
  let best: string | null = null;
  for (const need of needs) {
    for (const name of need.versions) {
      const v = glibcVersionOf(name);
      if (v !== null && (best === null || compareVersions(v, best) > 0)) best = v;
    }
  }
  return best;
}
