/**
 * What ARM build attributes mean for a Pi: which architecture level a Tag_CPU_arch needs, and
 * which attributes exceed what the oldest board of a target can execute.
 */
import type { CpuLevel } from '../targets/table.js';
import type { ArmAttributes } from './types.js';

/** Tag_CPU_arch values of the microcontroller (M) profile: not application-processor code. */
const M_PROFILE = new Set([11, 12, 13, 16, 17, 21]);

/**
 * Architecture level needed to run code tagged `cpuArch`; 'M' for M-profile code. v6T2 (8)
 * counts as v7: it means Thumb-2, which the ARM1176 of the Pi 1/Zero lacks.
 */
export function cpuArchLevel(cpuArch: number): number | 'M' {
  if (M_PROFILE.has(cpuArch)) return 'M';
  if (cpuArch <= 7 || cpuArch === 9) return 6;
  if (cpuArch === 8 || cpuArch === 10) return 7;
  if (cpuArch === 22) return 9;
  return 8;
}

export const LEVEL_NUMBER: Readonly<Record<CpuLevel, number>> = { v6: 6, v7: 7, v8: 8 };

/** The CPU of the oldest board a level must run on (what `-cpu` qemu models too). */
export const LEVEL_CPU: Readonly<Record<CpuLevel, string>> = {
  v6: 'ARM1176JZF-S',
  v7: 'Cortex-A7',
  v8: 'Cortex-A53',
};

/** Highest Tag_FP_arch and Tag_Advanced_SIMD_arch each level's oldest board implements. */
const MAX_FP: Readonly<Record<CpuLevel, number>> = { v6: 2, v7: 6, v8: 8 };
const MAX_SIMD: Readonly<Record<CpuLevel, number>> = { v6: 0, v7: 2, v8: 4 };
const SIMD_NAMES = ['none', 'NEONv1', 'NEONv1 with FMA', 'NEON for ARMv8', 'NEON for ARMv8.1'];

/** Lines describing each attribute that is too new for `level`; empty when all fit. */
export function tooNewAttributes(a: ArmAttributes, level: CpuLevel): string[] {
  const out: string[] = [];
  if (a.cpuArch !== null) {
    const need = cpuArchLevel(a.cpuArch);
    if (need !== 'M' && need > LEVEL_NUMBER[level]) {
      out.push(`ARMv${need} code (Tag_CPU_arch ${a.cpuArchName})`);
    }
  }
  if (level === 'v6' && a.thumbIsaUse === 2 && !out.length) {
    out.push('Thumb-2 instructions (Tag_THUMB_ISA_use: Thumb-2)');
  }
  if (a.fpArch !== null && a.fpArch > MAX_FP[level]) {
    out.push(`${a.fpArchName} floating-point instructions (Tag_FP_arch)`);
  }
  if (a.simdArch !== null && a.simdArch > MAX_SIMD[level]) {
    const name = SIMD_NAMES[a.simdArch] ?? `value ${a.simdArch}`;
    out.push(`${name} SIMD instructions (Tag_Advanced_SIMD_arch)`);
  }
  return out;
}

/** True when the attributes describe M-profile (microcontroller) code. */
export function isMProfile(a: ArmAttributes): boolean {
  return a.cpuArchProfile === 'M' || (a.cpuArch !== null && cpuArchLevel(a.cpuArch) === 'M');
}

/** 'v7' → 'armv7', 'v6KZ' → 'armv6', 'v8.2-A' → 'armv8', 'v5TE' → 'armv5te'. */
export function armArchName(cpuArchName: string | null, cpuArch: number | null): string {
  if (cpuArch === null || cpuArchName === null) return 'arm';
  const level = cpuArchLevel(cpuArch);
  if (level === 'M') return `arm${cpuArchName.toLowerCase()}`;
  if (cpuArch >= 6 && cpuArch !== 8) return `armv${level}`;
  return cpuArch === 0 ? 'arm' : `arm${cpuArchName.toLowerCase()}`;
}
