/**
 * `.ARM.attributes` (ARM IHI 0045, "Addenda to the ARM ABI"): the build attributes the compiler
 * and linker recorded. Tag_CPU_arch is the one that matters: the linker sets it to the newest
 * architecture among all linked objects, so ARMv7 crt files in an ARMv6 build show up here.
 */
import { ElfError, Reader, readUleb } from './reader.js';
import type { ArmAttributes } from './types.js';

/** Tag_CPU_arch values as binutils `readelf -A` names them. */
export const CPU_ARCH_NAMES: readonly string[] = [
  'Pre-v4', 'v4', 'v4T', 'v5T', 'v5TE', 'v5TEJ', 'v6', 'v6KZ', 'v6T2', 'v6K', 'v7', 'v6-M',
  'v6S-M', 'v7E-M', 'v8', 'v8-R', 'v8-M.baseline', 'v8-M.mainline', 'v8.1-A', 'v8.2-A',
  'v8.3-A', 'v8.1-M.mainline', 'v9',
]; // prettier-ignore

/** Tag_FP_arch values as `readelf -A` names them. */
export const FP_ARCH_NAMES: readonly string[] = [
  'No', 'VFPv1', 'VFPv2', 'VFPv3', 'VFPv3-D16', 'VFPv4', 'VFPv4-D16', 'FP for ARMv8',
  'FPv5/FP-D16 for ARMv8',
]; // prettier-ignore

const TAG_FILE = 1;
const TAG_CPU_RAW_NAME = 4;
const TAG_CPU_NAME = 5;
const TAG_CPU_ARCH = 6;
const TAG_CPU_ARCH_PROFILE = 7;
const TAG_THUMB_ISA_USE = 9;
const TAG_FP_ARCH = 10;
const TAG_ADVANCED_SIMD_ARCH = 12;
const TAG_ABI_VFP_ARGS = 28;
const TAG_COMPATIBILITY = 32;
const TAG_CONFORMANCE = 67;

/** Per the addenda: these tags carry NTBS strings, everything else ULEB128. */
function isStringTag(tag: number): boolean {
  return (
    tag === TAG_CPU_RAW_NAME ||
    tag === TAG_CPU_NAME ||
    tag === TAG_CONFORMANCE ||
    (tag > 32 && tag % 2 === 1)
  );
}

function readNtbs(r: Reader, pos: number, end: number, what: string): [string, number] {
  const s = r.cstr(pos, end, what);
  const nul = r.bytes.indexOf(0, pos);
  return [s, nul + 1];
}

/** Attributes of one file-scope sub-subsection, [pos, end). */
function readTags(r: Reader, pos: number, end: number, tags: Record<number, number | string>) {
  const what = '.ARM.attributes tag';
  while (pos < end) {
    const [tag, p1] = readUleb(r.bytes, pos, end, what);
    if (tag === TAG_COMPATIBILITY) {
      const [flag, p2] = readUleb(r.bytes, p1, end, what);
      const [vendor, p3] = readNtbs(r, p2, end, what);
      tags[tag] = `${flag} ${vendor}`;
      pos = p3;
    } else if (isStringTag(tag)) {
      [tags[tag], pos] = readNtbs(r, p1, end, what);
    } else {
      [tags[tag], pos] = readUleb(r.bytes, p1, end, what);
    }
  }
}

/** Sub-subsections of the aeabi vendor subsection; only Tag_File applies to the whole binary. */
function readAeabi(r: Reader, pos: number, end: number, tags: Record<number, number | string>) {
  while (pos < end) {
    const [tag, p1] = readUleb(r.bytes, pos, end, '.ARM.attributes sub-subsection');
    const size = r.u32(p1, '.ARM.attributes sub-subsection size');
    if (size < p1 + 4 - pos || pos + size > end) {
      throw new ElfError(`.ARM.attributes sub-subsection size ${size} is out of range`);
    }
    if (tag === TAG_FILE) readTags(r, p1 + 4, pos + size, tags);
    pos += size;
  }
}

export function readArmAttributes(r: Reader, offset: number, size: number): ArmAttributes | null {
  r.need(offset, size, '.ARM.attributes section');
  // Format version 'A' is the only one defined; anything else is not ours to interpret.
  if (size === 0 || r.bytes[offset] !== 0x41) return null;
  const end = offset + size;
  const tags: Record<number, number | string> = {};
  let found = false;
  for (let pos = offset + 1; pos < end;) {
    const len = r.u32(pos, '.ARM.attributes subsection length');
    if (len < 5 || pos + len > end) {
      throw new ElfError(`.ARM.attributes subsection length ${len} is out of range`);
    }
    const [vendor, body] = readNtbs(r, pos + 4, pos + len, '.ARM.attributes vendor');
    if (vendor === 'aeabi') {
      readAeabi(r, body, pos + len, tags);
      found = true;
    }
    pos += len;
  }
  return found ? summarize(tags) : null;
}

function num(tags: Record<number, number | string>, tag: number): number | null {
  const v = tags[tag];
  return typeof v === 'number' ? v : null;
}

function str(tags: Record<number, number | string>, tag: number): string | null {
  const v = tags[tag];
  return typeof v === 'string' ? v : null;
}

function summarize(tags: Record<number, number | string>): ArmAttributes {
  const cpuArch = num(tags, TAG_CPU_ARCH);
  const fpArch = num(tags, TAG_FP_ARCH);
  const profile = num(tags, TAG_CPU_ARCH_PROFILE);
  return {
    cpuArch,
    cpuArchName: cpuArch === null ? null : (CPU_ARCH_NAMES[cpuArch] ?? `unknown(${cpuArch})`),
    cpuArchProfile: profile ? String.fromCharCode(profile) : null,
    cpuName: str(tags, TAG_CPU_NAME),
    fpArch,
    fpArchName: fpArch === null ? null : (FP_ARCH_NAMES[fpArch] ?? `unknown(${fpArch})`),
    simdArch: num(tags, TAG_ADVANCED_SIMD_ARCH),
    thumbIsaUse: num(tags, TAG_THUMB_ISA_USE),
    abiVfpArgs: num(tags, TAG_ABI_VFP_ARGS),
    tags,
  };
}
