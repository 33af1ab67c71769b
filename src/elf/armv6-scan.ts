/**
 * Instruction-level ARMv6 check. `.ARM.attributes` is what a linker chose to record, and some
 * keep one object's attributes instead of merging them (zig's lld does), so it proves nothing
 * about the code. This walks every executable section of an unstripped 32-bit ARM ELF, decodes
 * each instruction in the state its mapping symbols give it, and reports what an ARM1176JZF-S
 * cannot execute, naming the function. Pure: bytes in, findings out.
 */
import {
  ARM_RULES,
  RUNTIME_SELECTED,
  THUMB16_RULES,
  THUMB32_RULES,
  VFP_RULES,
  type InstructionRule,
  type RulePredicate,
  type RuntimeSelected,
} from './armv6-rules.js';
import { openElf, readFileHeader, readSections } from './headers.js';
import type { Reader } from './reader.js';
import { readArmSymbols, type CodeLabel, type MappingKind } from './symtab.js';
import { SHT_NOBITS, type SectionHeader } from './types.js';
import { EM_ARM } from '../targets/table.js';

const SHF_EXECINSTR = 0x4;

/** One function's offending instructions. */
export interface Offence {
  /** The symbol the instructions lie in; null when no symbol precedes them in their section. */
  readonly func: string | null;
  /** Address of the first offending instruction. */
  readonly address: number;
  readonly state: 'arm' | 'thumb';
  readonly count: number;
  /** Distinct rule names, in the order first seen. */
  readonly mnemonics: readonly string[];
  /** What the first offending instruction needs, e.g. 'ARMv7' or 'VFPv3'. */
  readonly needs: string;
  /** Set when the function is a known run-time-selected variant for newer CPUs. */
  readonly exemptBy: RuntimeSelected | null;
}

export type Armv6Scan =
  | {
      readonly status: 'scanned';
      /** In address order; exempt functions are in `exempt`, not here. */
      readonly offences: readonly Offence[];
      readonly exempt: readonly Offence[];
      /** Offending instructions outside exempt functions. */
      readonly total: number;
      readonly stats: ScanStats;
    }
  | { readonly status: 'no-symbols' }
  | { readonly status: 'no-mapping-symbols' }
  | { readonly status: 'not-arm32' };

export interface ScanStats {
  readonly armWords: number;
  readonly thumbInstructions: number;
  /** Executable bytes before the first mapping symbol of their section: state unknown, skipped. */
  readonly unmappedBytes: number;
}

interface Compiled {
  readonly mask: number;
  readonly value: number;
  readonly except: readonly number[];
  readonly test: ((w: number) => boolean) | null;
  readonly rule: InstructionRule;
}

const PREDICATES: Readonly<Record<RulePredicate, (w: number) => boolean>> = {
  // First doubleword register D:Vd plus the number of registers (imm8 / 2; FLDMX adds one word).
  doubleRegsBeyondD15: (w) =>
    ((((w >>> 22) & 1) << 4) | ((w >>> 12) & 0xf)) + ((w & 0xff) >>> 1) > 16,
};

function compile(rules: readonly InstructionRule[]): Compiled[] {
  return rules.map((rule) => ({
    mask: rule.mask >>> 0,
    value: rule.value >>> 0,
    except: (rule.except ?? []).flatMap(([m, v]) => [m >>> 0, v >>> 0]),
    test: rule.test ? PREDICATES[rule.test] : null,
    rule,
  }));
}

function first(table: readonly Compiled[], w: number): InstructionRule | null {
  outer: for (const c of table) {
    if ((w & c.mask) >>> 0 !== c.value) continue;
    for (let i = 0; i < c.except.length; i += 2) {
      if ((w & (c.except[i] as number)) >>> 0 === c.except[i + 1]) continue outer;
    }
    if (c.test && !c.test(w)) continue;
    return c.rule;
  }
  return null;
}

/**
 * Rules split by a few fixed bits of the word, so each instruction is only tried against the
 * rules that can match it. A rule lands in every bucket its mask and value do not rule out.
 */
function dispatch(
  rules: readonly Compiled[],
  bucketOf: (w: number) => number,
  keys: number,
  sample: (key: number) => { mask: number; bits: number; uncond?: boolean },
) {
  const table: Compiled[][] = [];
  for (let k = 0; k < keys; k++) {
    const { mask, bits, uncond } = sample(k);
    table.push(
      rules.filter((c) => {
        if ((c.mask & mask & (bits ^ c.value)) >>> 0 !== 0) return false;
        if (uncond === undefined) return true;
        const top = (c.mask & 0xf0000000) >>> 0 === 0xf0000000 && c.value >>> 28 === 0xf;
        const exceptsUncond = c.except.some(
          (v, i) => i % 2 === 0 && v >>> 0 === 0xf0000000 && c.except[i + 1] === 0xf0000000,
        );
        return uncond ? !exceptsUncond : !top;
      }),
    );
  }
  return { table, bucketOf };
}

/** A32: bits 27:24, and whether the condition field is the unconditional 1111. */
const ARM = dispatch(
  compile([...ARM_RULES, ...VFP_RULES]),
  (w) => ((w >>> 24) & 0xf) | (w >>> 28 === 0xf ? 16 : 0),
  32,
  (k) => ({ mask: 0x0f000000, bits: (k & 0xf) << 24, uncond: k >= 16 }),
);
const VFP = compile(VFP_RULES);
/** T16: bits 15:12. */
const T16 = dispatch(
  compile(THUMB16_RULES),
  (h) => h >>> 12,
  16,
  (k) => ({ mask: 0xf000, bits: k << 12 }),
);
/** T32: bits 31:24, the first halfword's top byte. */
const T32 = dispatch(
  compile(THUMB32_RULES),
  (w) => w >>> 24,
  256,
  (k) => ({ mask: 0xff000000, bits: (k << 24) >>> 0 }),
);

function firstIn(d: { table: Compiled[][]; bucketOf: (w: number) => number }, w: number) {
  return first(d.table[d.bucketOf(w)] ?? [], w);
}

/** The first rule an A32 word matches (an `ok` rule included); null: ordinary ARMv6 code. */
export function matchArm(word: number): InstructionRule | null {
  return firstIn(ARM, word >>> 0);
}

/** The first rule a 16-bit Thumb instruction matches; null: Thumb-1 as ARMv6 has it. */
export function matchThumb16(halfword: number): InstructionRule | null {
  return firstIn(T16, halfword & 0xffff);
}

/**
 * The rule a 32-bit Thumb instruction (first halfword << 16 | second) matches. Every one other
 * than the ARMv6 BL/BLX pair matches a Thumb-2 rule; floating-point and NEON ones are named by
 * the VFP table through their A32 equivalent.
 */
export function matchThumb32(word: number): InstructionRule | null {
  const rule = firstIn(T32, word >>> 0);
  if (!rule?.refineAsVfp) return rule;
  return first(VFP, thumbCoprocessorAsArm(word >>> 0)) ?? rule;
}

/** True for a first halfword that starts a 32-bit Thumb instruction (0b11101/0b11110/0b11111). */
export function isThumb32Prefix(halfword: number): boolean {
  return halfword >>> 11 >= 0x1d;
}

/**
 * A32 layout of a T32 coprocessor-space word: the T32 forms are the A32 ones with cond = AL, and
 * NEON's U bit moved from bit 24 to bit 28 [ARM A7.4, A6.3.18].
 */
function thumbCoprocessorAsArm(w: number): number {
  const top = w >>> 24;
  if ((top & 0xef) === 0xef) return (0xf2000000 | ((top & 0x10) << 20) | (w & 0xffffff)) >>> 0;
  if ((top & 0xf0) === 0xe0) return (0xe0000000 | (w & 0x0fffffff)) >>> 0;
  return w;
}

type Sink = (address: number, state: 'arm' | 'thumb', rule: InstructionRule) => void;

/** Scans `bytes` (a whole ELF file). Never throws for stripped or non-ARM files; ElfError if malformed. */
export function scanArmv6(bytes: Uint8Array): Armv6Scan {
  const r = openElf(bytes);
  const h = readFileHeader(r);
  if (h.machine !== EM_ARM || h.bits !== 32 || h.endian !== 'little')
    return { status: 'not-arm32' };
  const sections = readSections(r, h);
  const symbols = readArmSymbols(r, sections);
  if (!symbols) return { status: 'no-symbols' };
  const code = sections
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => (s.flags & SHF_EXECINSTR) !== 0 && s.type !== SHT_NOBITS && s.size > 0);
  const bySection = groupMapping(symbols.mapping);
  if (!code.some(({ index }) => bySection.has(index))) return { status: 'no-mapping-symbols' };
  const labels = groupLabels(symbols.labels);
  const stats = { armWords: 0, thumbInstructions: 0, unmappedBytes: 0 };
  const offences: MutableOffence[] = [];
  for (const { s, index } of code) {
    const sink = collector(labels.get(index) ?? [], offences);
    scanSection(r, s, bySection.get(index) ?? [], stats, sink);
  }
  const done = offences.map(freeze);
  const exempt = done.filter((o) => o.exemptBy);
  const real = done.filter((o) => !o.exemptBy);
  return {
    status: 'scanned',
    offences: real,
    exempt,
    total: real.reduce((n, o) => n + o.count, 0),
    stats,
  };
}

type Region = { start: number; end: number; kind: MappingKind };

function groupMapping(mapping: readonly { section: number; addr: number; kind: MappingKind }[]) {
  const out = new Map<number, { addr: number; kind: MappingKind }[]>();
  for (const m of mapping) {
    const list = out.get(m.section);
    if (list) list.push(m);
    else out.set(m.section, [m]);
  }
  // Stable: of two mapping symbols at one address (an empty region), the later one rules.
  for (const list of out.values()) list.sort((a, b) => a.addr - b.addr);
  return out;
}

function groupLabels(labels: readonly CodeLabel[]) {
  const out = new Map<number, CodeLabel[]>();
  for (const l of labels) {
    const list = out.get(l.section);
    if (list) list.push(l);
    else out.set(l.section, [l]);
  }
  // Functions first at equal addresses, so an alias label never hides the function's name.
  for (const list of out.values()) {
    list.sort((a, b) => a.addr - b.addr || Number(a.func) - Number(b.func));
  }
  return out;
}

function regionsOf(s: SectionHeader, mapping: readonly { addr: number; kind: MappingKind }[]) {
  const end = s.addr + s.size;
  const regions: Region[] = [];
  const inside = mapping.filter((m) => m.addr >= s.addr && m.addr < end);
  for (let i = 0; i < inside.length; i++) {
    const m = inside[i] as { addr: number; kind: MappingKind };
    const next = inside[i + 1]?.addr ?? end;
    if (next > m.addr && m.kind !== 'data')
      regions.push({ start: m.addr, end: next, kind: m.kind });
  }
  const unmapped = (inside[0]?.addr ?? end) - s.addr;
  return { regions, unmapped };
}

function scanSection(
  r: Reader,
  s: SectionHeader,
  mapping: readonly { addr: number; kind: MappingKind }[],
  stats: { armWords: number; thumbInstructions: number; unmappedBytes: number },
  sink: Sink,
): void {
  r.need(s.offset, s.size, `section ${s.name}`);
  const { regions, unmapped } = regionsOf(s, mapping);
  stats.unmappedBytes += unmapped;
  const { view } = r;
  const base = s.offset - s.addr;
  for (const reg of regions) {
    if (reg.kind === 'arm') {
      // ARM instructions are word-aligned; a region starting mid-word begins at the next word.
      for (let a = (reg.start + 3) & ~3; a + 4 <= reg.end; a += 4) {
        stats.armWords++;
        const rule = firstIn(ARM, view.getUint32(base + a, true) >>> 0);
        if (rule && !rule.ok) sink(a, 'arm', rule);
      }
      continue;
    }
    for (let a = (reg.start + 1) & ~1; a + 2 <= reg.end;) {
      stats.thumbInstructions++;
      const hw = view.getUint16(base + a, true);
      if (isThumb32Prefix(hw) && a + 4 <= reg.end) {
        const rule = matchThumb32(((hw << 16) | view.getUint16(base + a + 2, true)) >>> 0);
        if (rule && !rule.ok) sink(a, 'thumb', rule);
        a += 4;
      } else {
        const rule = firstIn(T16, hw);
        if (rule && !rule.ok) sink(a, 'thumb', rule);
        a += 2;
      }
    }
  }
}

interface MutableOffence {
  func: string | null;
  address: number;
  state: 'arm' | 'thumb';
  count: number;
  mnemonics: string[];
  needs: string;
  exemptBy: RuntimeSelected | null;
}

/** Index of the label an address belongs to: the covering function, else the nearest label. */
function labelAt(labels: readonly CodeLabel[], addr: number): number {
  let lo = 0;
  let hi = labels.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((labels[mid] as CodeLabel).addr <= addr) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // A data label or an untyped local label after the function start must not steal the name.
  for (let i = best; i >= 0; i--) {
    const l = labels[i] as CodeLabel;
    if (l.func && addr < l.addr + l.size) return i;
    if (l.func && l.size > 0) break;
  }
  return best;
}

/** Folds offending instructions, which arrive in address order, into one entry per function. */
function collector(labels: readonly CodeLabel[], out: MutableOffence[]): Sink {
  let currentIndex = -2;
  let current: MutableOffence | null = null;
  return (address, state, rule) => {
    const index = labelAt(labels, address);
    if (!current || currentIndex !== index) {
      const func = index >= 0 ? (labels[index] as CodeLabel).name : null;
      current = {
        func,
        address,
        state,
        count: 0,
        mnemonics: [],
        needs: rule.needs,
        exemptBy: func === null ? null : exemption(func),
      };
      currentIndex = index;
      out.push(current);
    }
    current.count++;
    if (!current.mnemonics.includes(rule.name)) current.mnemonics.push(rule.name);
  };
}

function exemption(func: string): RuntimeSelected | null {
  return (
    RUNTIME_SELECTED.find((e) =>
      typeof e.name === 'string' ? e.name === func : e.name.test(func),
    ) ?? null
  );
}

function freeze(o: MutableOffence): Offence {
  return { ...o, mnemonics: [...o.mnemonics] };
}
