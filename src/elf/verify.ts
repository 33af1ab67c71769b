/**
 * Judges a parsed binary against the target it was built for. Pure: the same ELF and expectation
 * always give the same findings, so the action can explain a broken build before a Pi sees it.
 */
import {
  EM_AARCH64,
  EM_ARM,
  PI_OS,
  compareVersions,
  piOsRunningGlibc,
  type TargetSpec,
} from '../targets/table.js';
import { scanArmv6 } from './armv6-scan.js';
import { armArchName, isMProfile, tooNewAttributes } from './cpu.js';
import * as msg from './messages.js';
import type { OffendingVersion } from './messages.js';
import { machineArch } from './names.js';
import { ElfError } from './reader.js';
import { glibcVersionOf, parseElf } from './parse.js';
import { ET_DYN, ET_EXEC, type ParsedElf } from './types.js';

export type FindingCode =
  | 'malformed-elf'
  | 'not-executable'
  | 'wrong-machine'
  | 'wrong-cpu-profile'
  | 'soft-float'
  | 'cpu-too-new'
  | 'wrong-interpreter'
  | 'musl-not-static'
  | 'glibc-too-new'
  | 'no-start-files'
  | 'entry-outside-code'
  | 'armv7-instructions'
  | 'instruction-scan-skipped';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface BinaryFacts {
  /** 'aarch64', 'armv7', 'armv6', 'x86_64', …: what the code actually is. */
  readonly arch: string;
  /** Tag_CPU_arch name ('v6', 'v6KZ', 'v7', …); 'v8' for AArch64; null if unknown. */
  readonly cpuArch: string | null;
  readonly floatAbi: 'hard' | 'soft' | 'n/a';
  readonly glibcNeeded: string | null;
  /** Pi OS releases it runs on; empty when another error means it runs nowhere. */
  readonly runsOn: string[];
  readonly linkage: 'static' | 'dynamic' | 'static-pie';
  readonly interpreter: string | null;
  readonly needed: string[];
}

export interface VerifyExpectation {
  readonly spec: TargetSpec;
  /** Highest glibc the binary may require (e.g. '2.31'); null: do not check. */
  readonly glibcFloor: string | null;
  /** Pi OS release the floor comes from, for messages (e.g. 'bullseye'). */
  readonly piOs: string | null;
  /**
   * The same binary before staging stripped it (cargo's file in target/): the ARMv6 instruction
   * scan and the `_start` check read its symbol table. Absent: the verified bytes are used.
   */
  readonly unstripped?: Uint8Array | null;
}

export interface Verdict {
  readonly findings: Finding[];
  readonly facts: BinaryFacts;
}

function error(code: FindingCode, message: string): Finding {
  return { code, severity: 'error', message };
}

/**
 * `code` is the file to scan instruction by instruction for ARMv6 targets (with its symbol
 * table); without it only the headers and attributes are judged.
 */
export function verifyElf(elf: ParsedElf, expect: VerifyExpectation, code?: Uint8Array): Verdict {
  const findings = collectFindings(elf, expect, code ?? null);
  return { findings, facts: facts(elf, findings) };
}

/** Parse and verify in one step; a malformed file becomes a 'malformed-elf' finding. */
export function verifyBytes(
  bytes: Uint8Array,
  expect: VerifyExpectation,
): { findings: Finding[]; facts: BinaryFacts | null } {
  try {
    const elf = parseElf(bytes);
    const symbols = expect.unstripped ? symbolsOf(expect.unstripped) : null;
    return verifyElf(symbols ? { ...elf, symbols } : elf, expect, expect.unstripped ?? bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    const message =
      `The file is not a valid ELF binary: ${e.message}. Likely cause: an incomplete copy or ` +
      'download, or a wrong path. Fix: rebuild and ship the file cargo produced.';
    return { findings: [error('malformed-elf', message)], facts: null };
  }
}

/**
 * The symbols of cargo's unstripped file: with them a missing `_start` is proof rather than a
 * guess from section names. null when that file is unreadable (its own scan reports it).
 */
function symbolsOf(unstripped: Uint8Array): ParsedElf['symbols'] | null {
  try {
    return parseElf(unstripped).symbols;
  } catch (e) {
    if (e instanceof ElfError) return null;
    throw e;
  }
}

function collectFindings(
  elf: ParsedElf,
  { spec, glibcFloor, piOs }: VerifyExpectation,
  code: Uint8Array | null,
): Finding[] {
  if (elf.type !== ET_EXEC && elf.type !== ET_DYN) {
    return [error('not-executable', msg.notExecutable(elf))];
  }
  const out: Finding[] = [];
  if (elf.isSharedLibrary) {
    out.push({ code: 'not-executable', severity: 'warning', message: msg.notExecutable(elf) });
  }
  const littleEndian = elf.endian === 'little';
  if (elf.machine !== spec.elf.machine || elf.bits !== spec.elf.bits || !littleEndian) {
    // Nothing else is meaningful for code the Pi's CPU cannot even decode.
    return [...out, error('wrong-machine', msg.wrongMachine(elf, spec))];
  }
  if (elf.machine === EM_ARM) out.push(...armFindings(elf, spec));
  if (elf.machine === EM_ARM && spec.cpu === 'v6' && code)
    out.push(...instructionFindings(spec, code));
  out.push(...linkFindings(elf, spec, glibcFloor, piOs));
  if (!elf.isSharedLibrary) out.push(...startFindings(elf, spec));
  return out;
}

function armFindings(elf: ParsedElf, spec: TargetSpec): Finding[] {
  const out: Finding[] = [];
  const float = armFloat(elf);
  if (spec.elf.hardFloat && float.abi === 'soft') {
    out.push(error('soft-float', msg.softFloat(spec, float.evidence)));
  }
  const attrs = elf.armAttributes;
  if (attrs && isMProfile(attrs)) {
    out.push(error('wrong-cpu-profile', msg.wrongProfile(spec, elf)));
  } else if (attrs) {
    const tooNew = tooNewAttributes(attrs, spec.cpu);
    if (tooNew.length) out.push(error('cpu-too-new', msg.cpuTooNew(spec, tooNew)));
  }
  return out;
}

/** What the ARMv6 instruction scan of `code` says: offending functions, or why it could not run. */
function instructionFindings(spec: TargetSpec, code: Uint8Array): Finding[] {
  let scan: ReturnType<typeof scanArmv6>;
  try {
    scan = scanArmv6(code);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    const message = msg.instructionScanSkipped(spec, { malformed: e.message });
    return [{ code: 'instruction-scan-skipped', severity: 'warning', message }];
  }
  if (scan.status === 'no-symbols' || scan.status === 'no-mapping-symbols') {
    const message = msg.instructionScanSkipped(spec, scan.status);
    return [{ code: 'instruction-scan-skipped', severity: 'warning', message }];
  }
  if (scan.status !== 'scanned' || scan.total === 0) return [];
  return [error('armv7-instructions', msg.armv7Instructions(spec, scan.offences, scan.total))];
}

/**
 * ELF header flags are what the loader trusts; the attribute is the compiler's record. Either
 * one saying "soft" means soft-float code went into the link.
 */
function armFloat(elf: ParsedElf): { abi: 'hard' | 'soft'; evidence: string } {
  const flag = elf.arm?.floatAbi;
  const vfp = elf.armAttributes?.abiVfpArgs ?? null;
  const flags = `ELF flags ${hexFlags(elf.flags)}`;
  if (flag === 'soft') return { abi: 'soft', evidence: `${flags}: soft-float ABI` };
  if (vfp === 0) return { abi: 'soft', evidence: 'Tag_ABI_VFP_args: base AAPCS (soft-float)' };
  if (flag === 'hard' || vfp === 1 || vfp === 3) return { abi: 'hard', evidence: flags };
  return { abi: 'soft', evidence: `${flags} without hard-float bit and no Tag_ABI_VFP_args` };
}

const hexFlags = (f: number) => `0x${f.toString(16)}`;

function linkFindings(
  elf: ParsedElf,
  spec: TargetSpec,
  floor: string | null,
  piOs: string | null,
): Finding[] {
  const dynamic = elf.interpreter !== null || (elf.dynamic?.needed.length ?? 0) > 0;
  if (spec.libc === 'musl') {
    return dynamic && !elf.isSharedLibrary
      ? [error('musl-not-static', msg.muslNotStatic(spec, elf))]
      : [];
  }
  const out: Finding[] = [];
  if (elf.interpreter !== null && elf.interpreter !== spec.interpreter) {
    out.push(error('wrong-interpreter', msg.wrongInterpreter(spec, elf.interpreter)));
  }
  const needed = elf.maxGlibc;
  if (floor !== null && needed !== null && compareVersions(needed, floor) > 0) {
    const os = piOs ?? PI_OS.find((o) => o.glibc === floor)?.name ?? null;
    const offending = versionsAbove(elf, floor);
    const runsOn = piOsRunningGlibc(needed);
    const message = msg.glibcTooNew(offending, needed, { glibc: floor, os }, runsOn);
    out.push(error('glibc-too-new', message));
  }
  return out;
}

/** Every required GLIBC version above the floor, newest first. */
function versionsAbove(elf: ParsedElf, floor: string): OffendingVersion[] {
  const hits: (OffendingVersion & { v: string })[] = [];
  for (const need of elf.versionNeeds) {
    for (const name of need.versions) {
      const v = glibcVersionOf(name);
      if (v !== null && compareVersions(v, floor) > 0) hits.push({ v, name, file: need.file });
    }
  }
  return hits.sort((a, b) => compareVersions(b.v, a.v)).map(({ name, file }) => ({ name, file }));
}

function startFindings(elf: ParsedElf, spec: TargetSpec): Finding[] {
  const missing = missingStart(elf);
  if (missing) {
    const message = msg.noStartFiles(spec, missing.evidence);
    return [{ code: 'no-start-files', severity: missing.severity, message }];
  }
  if (!elf.entryInExecutableSegment) {
    return [error('entry-outside-code', msg.entryOutsideCode(elf))];
  }
  return [];
}

/**
 * With a symbol table, a missing `_start` is proof. A stripped static binary can only be judged
 * by the missing `.init` that crti.o always contributes, which is a strong hint, not proof.
 */
function missingStart(elf: ParsedElf): { severity: Finding['severity']; evidence: string } | null {
  if (elf.entry === 0) return { severity: 'error', evidence: 'its entry point is 0' };
  const { hasSymtab, hasStart } = elf.symbols;
  if (hasSymtab && !hasStart) {
    const evidence = 'no _start symbol; the entry point is wherever ld defaulted to';
    return { severity: 'error', evidence };
  }
  const stripped = !hasSymtab && !hasStart && elf.sections.length > 0;
  if (stripped && elf.interpreter === null && !elf.sections.some((s) => s.name === '.init')) {
    const evidence = 'stripped, static, and without the .init section every crt file set provides';
    return { severity: 'warning', evidence };
  }
  return null;
}

function facts(elf: ParsedElf, findings: Finding[]): BinaryFacts {
  const attrs = elf.armAttributes;
  const isArm = elf.machine === EM_ARM;
  const blocking = findings.some((f) => f.severity === 'error' && f.code !== 'glibc-too-new');
  const runsOn = blocking
    ? []
    : elf.linkage === 'dynamic'
      ? piOsRunningGlibc(elf.maxGlibc)
      : PI_OS.map((os) => os.name);
  return {
    arch: isArm
      ? armArchName(attrs?.cpuArchName ?? null, attrs?.cpuArch ?? null)
      : machineArch(elf.machine),
    cpuArch: isArm ? (attrs?.cpuArchName ?? null) : elf.machine === EM_AARCH64 ? 'v8' : null,
    floatAbi: isArm ? armFloat(elf).abi : 'n/a',
    glibcNeeded: elf.maxGlibc,
    runsOn,
    linkage: elf.linkage,
    interpreter: elf.interpreter,
    needed: [...(elf.dynamic?.needed ?? [])],
  };
}
