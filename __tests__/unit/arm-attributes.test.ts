/**
 * What ARM build attributes mean for a Pi, value by value, against the ARM ABI's own tables
 * ("Addenda to, and Errata in, the ABI for the Arm Architecture": Tag_CPU_arch,
 * Tag_FP_arch, Tag_Advanced_SIMD_arch) and the cores of the oldest board of each level
 * (ARM1176JZF-S: ARMv6, VFPv2, no NEON; Cortex-A7: ARMv7, VFPv4, NEON with FMA; Cortex-A53:
 * ARMv8, FP and NEON for ARMv8).
 */
import { describe, expect, it } from '@jest/globals';
import { armArchName, cpuArchLevel, isMProfile, tooNewAttributes } from '../../src/elf/cpu.js';
import type { ArmAttributes } from '../../src/elf/types.js';

// [Tag_CPU_arch, readelf name, the architecture level a CPU must have to run it]
const CPU_ARCH: [number, string, number | 'M'][] = [
  [0, 'Pre-v4', 6], [1, 'v4', 6], [2, 'v4T', 6], [3, 'v5T', 6], [4, 'v5TE', 6],
  [5, 'v5TEJ', 6], [6, 'v6', 6], [7, 'v6KZ', 6],
  [8, 'v6T2', 7], // Thumb-2, which the ARM1176 lacks: v7 for our purpose
  [9, 'v6K', 6], [10, 'v7', 7], [11, 'v6-M', 'M'], [12, 'v6S-M', 'M'], [13, 'v7E-M', 'M'],
  [14, 'v8', 8], [15, 'v8-R', 8], [16, 'v8-M.baseline', 'M'], [17, 'v8-M.mainline', 'M'],
  [18, 'v8.1-A', 8], [19, 'v8.2-A', 8], [20, 'v8.3-A', 8], [21, 'v8.1-M.mainline', 'M'],
  [22, 'v9', 9],
]; // prettier-ignore

describe('cpuArchLevel', () => {
  it.each(CPU_ARCH)('Tag_CPU_arch %i (%s) needs level %s', (value, _name, level) => {
    expect(cpuArchLevel(value)).toBe(level);
  });
});

describe('armArchName', () => {
  it.each([
    [10, 'v7', 'armv7'],
    [7, 'v6KZ', 'armv6'],
    [6, 'v6', 'armv6'],
    [9, 'v6K', 'armv6'],
    [19, 'v8.2-A', 'armv8'],
    [14, 'v8', 'armv8'],
    [22, 'v9', 'armv9'],
    [8, 'v6T2', 'armv6t2'],
    [4, 'v5TE', 'armv5te'],
    [5, 'v5TEJ', 'armv5tej'],
    [0, 'Pre-v4', 'arm'],
    [13, 'v7E-M', 'armv7e-m'],
  ])('%i (%s) → %s', (value, name, want) => {
    expect(armArchName(name, value)).toBe(want);
  });
  it('without attributes: plain arm', () => {
    expect(armArchName(null, null)).toBe('arm');
    expect(armArchName('v7', null)).toBe('arm');
    expect(armArchName(null, 10)).toBe('arm');
  });
});

describe('isMProfile', () => {
  const a = (cpuArch: number | null, cpuArchProfile: string | null) =>
    ({ cpuArch, cpuArchProfile }) as ArmAttributes;
  it('by profile or by an M-profile architecture', () => {
    expect(isMProfile(a(null, 'M'))).toBe(true);
    expect(isMProfile(a(13, null))).toBe(true);
    expect(isMProfile(a(10, 'A'))).toBe(false);
    expect(isMProfile(a(null, 'A'))).toBe(false);
    expect(isMProfile(a(null, null))).toBe(false);
  });
});

describe('tooNewAttributes: each level’s oldest core, at and just past its limits', () => {
  const FP = ['No', 'VFPv1', 'VFPv2', 'VFPv3', 'VFPv3-D16', 'VFPv4', 'VFPv4-D16', 'FP for ARMv8'];
  const attrs = (o: Partial<ArmAttributes>): ArmAttributes => ({
    cpuArch: 6,
    cpuArchName: 'v6',
    cpuArchProfile: 'A',
    cpuName: null,
    fpArch: 2,
    fpArchName: 'VFPv2',
    simdArch: 0,
    thumbIsaUse: 1,
    abiVfpArgs: 1,
    tags: {},
    ...o,
  });
  const fp = (v: number) => ({ fpArch: v, fpArchName: FP[v] ?? 'FPv5/FP-D16 for ARMv8' });

  it('v6 (ARM1176): VFPv2 and no NEON fit; VFPv3 and NEONv1 do not', () => {
    expect(tooNewAttributes(attrs({}), 'v6')).toEqual([]);
    expect(tooNewAttributes(attrs(fp(3)), 'v6')).toEqual([
      'VFPv3 floating-point instructions (Tag_FP_arch)',
    ]);
    expect(tooNewAttributes(attrs({ simdArch: 1 }), 'v6')).toEqual([
      'NEONv1 SIMD instructions (Tag_Advanced_SIMD_arch)',
    ]);
  });

  it('v7 (Cortex-A7): VFPv4-D16 and NEON with FMA fit; ARMv8 FP, ARMv8 NEON and v8 code do not', () => {
    const v7 = { cpuArch: 10, cpuArchName: 'v7', thumbIsaUse: 2 };
    expect(tooNewAttributes(attrs({ ...v7, ...fp(6), simdArch: 2 }), 'v7')).toEqual([]);
    expect(tooNewAttributes(attrs({ ...v7, ...fp(7) }), 'v7')).toEqual([
      'FP for ARMv8 floating-point instructions (Tag_FP_arch)',
    ]);
    expect(tooNewAttributes(attrs({ ...v7, simdArch: 3 }), 'v7')).toEqual([
      'NEON for ARMv8 SIMD instructions (Tag_Advanced_SIMD_arch)',
    ]);
    expect(tooNewAttributes(attrs({ ...v7, simdArch: 4 }), 'v7')).toEqual([
      'NEON for ARMv8.1 SIMD instructions (Tag_Advanced_SIMD_arch)',
    ]);
    expect(tooNewAttributes(attrs({ cpuArch: 14, cpuArchName: 'v8' }), 'v7')).toEqual([
      'ARMv8 code (Tag_CPU_arch v8)',
    ]);
    // Thumb-2 is fine from ARMv7 on.
    expect(tooNewAttributes(attrs(v7), 'v7')).toEqual([]);
  });

  it('v8 (Cortex-A53): ARMv8 FP and ARMv8.1 NEON fit; an unknown SIMD value is named by number', () => {
    const v8 = { cpuArch: 14, cpuArchName: 'v8', thumbIsaUse: 2 };
    expect(tooNewAttributes(attrs({ ...v8, ...fp(8), simdArch: 4 }), 'v8')).toEqual([]);
    expect(tooNewAttributes(attrs({ ...v8, simdArch: 5 }), 'v8')).toEqual([
      'value 5 SIMD instructions (Tag_Advanced_SIMD_arch)',
    ]);
    expect(tooNewAttributes(attrs({ cpuArch: 22, cpuArchName: 'v9' }), 'v8')).toEqual([
      'ARMv9 code (Tag_CPU_arch v9)',
    ]);
  });

  it('M-profile code is not "too new" (another finding says what it is); absent tags say nothing', () => {
    expect(tooNewAttributes(attrs({ cpuArch: 13, cpuArchName: 'v7E-M' }), 'v6')).toEqual([]);
    const none = attrs({ cpuArch: null, cpuArchName: null, fpArch: null, fpArchName: null });
    expect(tooNewAttributes({ ...none, simdArch: null, thumbIsaUse: null }, 'v6')).toEqual([]);
  });

  it('every problem at once, in a fixed order: code, FP, SIMD', () => {
    expect(
      tooNewAttributes(attrs({ cpuArch: 10, cpuArchName: 'v7', ...fp(5), simdArch: 2 }), 'v6'),
    ).toEqual([
      'ARMv7 code (Tag_CPU_arch v7)',
      'VFPv4 floating-point instructions (Tag_FP_arch)',
      'NEONv1 with FMA SIMD instructions (Tag_Advanced_SIMD_arch)',
    ]);
  });
});
