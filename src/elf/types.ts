/** The shape of a parsed ELF file and the ELF constants the parser and verifier share. */

export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHT_ARM_ATTRIBUTES = 0x70000003;

export const EF_ARM_ABI_FLOAT_SOFT = 0x200;
export const EF_ARM_ABI_FLOAT_HARD = 0x400;
export const DF_1_PIE = 0x08000000;

export interface ProgramHeader {
  readonly type: number;
  /** PF_X | PF_W | PF_R bits. */
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

export interface SectionHeader {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
}

export interface DynamicInfo {
  readonly needed: readonly string[];
  readonly soname: string | null;
  readonly rpath: string | null;
  readonly runpath: string | null;
  /** DT_FLAGS_1 (0 when absent). */
  readonly flags1: number;
}

/** One library's entry in `.gnu.version_r`: the symbol versions the binary requires from it. */
export interface VersionNeed {
  readonly file: string;
  readonly versions: readonly string[];
}

/** The public "aeabi" subsection of `.ARM.attributes`, file scope. */
export interface ArmAttributes {
  /** Tag_CPU_arch (6) value and its readelf name (e.g. 10 → 'v7'). */
  readonly cpuArch: number | null;
  readonly cpuArchName: string | null;
  /** Tag_CPU_arch_profile (7): 'A', 'R', 'M', 'S' or null. */
  readonly cpuArchProfile: string | null;
  /** Tag_CPU_name (5), e.g. 'cortex-a7' or '6'. */
  readonly cpuName: string | null;
  /** Tag_FP_arch (10) value and name (e.g. 4 → 'VFPv3-D16'). */
  readonly fpArch: number | null;
  readonly fpArchName: string | null;
  /** Tag_Advanced_SIMD_arch (12): 0 none, 1 NEONv1, 2 NEONv1+FMA, 3+ ARMv8 NEON. */
  readonly simdArch: number | null;
  /** Tag_THUMB_ISA_use (9): 0 none, 1 Thumb-1, 2 Thumb-2. */
  readonly thumbIsaUse: number | null;
  /** Tag_ABI_VFP_args (28): 0 base (soft-float), 1 VFP registers, 2 toolchain, 3 compatible. */
  readonly abiVfpArgs: number | null;
  /** Every aeabi file-scope tag seen, for anything the named fields don't cover. */
  readonly tags: Readonly<Record<number, number | string>>;
}

export interface ParsedElf {
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  readonly osabi: number;
  /** e_type: ET_REL 1, ET_EXEC 2, ET_DYN 3, ET_CORE 4. */
  readonly type: number;
  readonly machine: number;
  readonly machineName: string;
  readonly flags: number;
  /** ARM e_flags decoded; null for other machines. */
  readonly arm: {
    readonly eabiVersion: number;
    readonly floatAbi: 'hard' | 'soft' | 'unspecified';
  } | null;
  readonly entry: number;
  readonly programHeaders: readonly ProgramHeader[];
  readonly sections: readonly SectionHeader[];
  readonly interpreter: string | null;
  /** null when there is no PT_DYNAMIC segment. */
  readonly dynamic: DynamicInfo | null;
  readonly versionNeeds: readonly VersionNeed[];
  /** null when there is no `.ARM.attributes` section (or no aeabi subsection). */
  readonly armAttributes: ArmAttributes | null;
  readonly symbols: {
    readonly hasSymtab: boolean;
    readonly hasDynsym: boolean;
    /** `_start` is defined in .symtab or .dynsym. */
    readonly hasStart: boolean;
  };
  /** e_entry (Thumb bit ignored) lies inside a PT_LOAD with PF_X. */
  readonly entryInExecutableSegment: boolean;
  /** Derived: static (ET_EXEC, no PT_INTERP), static-pie (ET_DYN, no PT_INTERP, PIE) or dynamic. */
  readonly linkage: 'static' | 'dynamic' | 'static-pie';
  /** ET_DYN without PT_INTERP and not PIE: a shared library rather than a program. */
  readonly isSharedLibrary: boolean;
  readonly pie: boolean;
  /** Highest GLIBC_x.y symbol version required, e.g. '2.34'; null if none. */
  readonly maxGlibc: string | null;
}
