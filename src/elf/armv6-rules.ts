/**
 * What the ARM1176JZF-S of a Raspberry Pi 1 / Zero (ARMv6KZ, Thumb-1, VFPv2 with d0–d15) cannot
 * execute, as instruction encodings. The table is data: each entry is a mask/value pair over one
 * instruction word, checked in order, first match wins. `ok` entries are v6K instructions that
 * look "new" (ldrexd, clrex, …) and stop the search so a later, wider rule cannot claim them.
 *
 * Sources, cited per rule as `[ARM §…]`:
 *   ARM  — ARM Architecture Reference Manual ARMv7-A/R, DDI 0406C.d: encoding tables in A5 (ARM),
 *          A6 (Thumb), A7 (Advanced SIMD and VFP); each instruction's page in A8 lists the
 *          architecture versions of each encoding; Appendix D12 lists the ARMv6 differences.
 *   1176 — ARM1176JZF-S Technical Reference Manual, DDI 0301H: the core is ARMv6KZ ("ARMv6 with
 *          the Multiprocessing and Security extensions", §1.1) and its VFP11 coprocessor is VFPv2
 *          with 16 double-precision registers (§20.1).
 *   v8   — ARM Architecture Reference Manual ARMv8-A, DDI 0487, chapter F (AArch32 encodings).
 */

export type Isa = 'arm' | 'thumb16' | 'thumb32' | 'vfp';

/** Named extra conditions a mask cannot express. */
export type RulePredicate = 'doubleRegsBeyondD15';

export interface InstructionRule {
  /** Mnemonics, as a disassembler prints them. */
  readonly name: string;
  /**
   * 'arm': an A32 word; 'thumb16': one Thumb halfword; 'thumb32': a 32-bit Thumb instruction as
   * (first halfword << 16 | second halfword); 'vfp': a coprocessor-space word in A32 layout, for
   * ARM code and (translated) for Thumb-2 code.
   */
  readonly isa: Isa;
  readonly mask: number;
  readonly value: number;
  /** Encodings inside mask/value that are other instructions: the rule does not match them. */
  readonly except?: readonly (readonly [mask: number, value: number])[];
  readonly test?: RulePredicate;
  /** The architecture (extension) the instruction needs, for messages. */
  readonly needs: string;
  /** Runs on the ARM1176JZF-S: nothing to report. */
  readonly ok?: true;
  /** For 'thumb32' groups: look the word up in the 'vfp' table for a more precise name. */
  readonly refineAsVfp?: true;
  /** Why, with the source. */
  readonly why: string;
}

/** The condition field 1111 is the unconditional space: other instructions live there. */
const UNCONDITIONAL: readonly [number, number] = [0xf0000000, 0xf0000000];

export const ARM_RULES: readonly InstructionRule[] = [
  // ARMv6K additions, all present on the ARMv6KZ ARM1176 [1176 §1.1; ARM A8.8.75-78, A8.8.213-216].
  {
    name: 'ldrexb',
    isa: 'arm',
    mask: 0x0ff00fff,
    value: 0x01d00f9f,
    needs: 'ARMv6K',
    ok: true,
    why: 'LDREXB A1 is ARMv6K [ARM A8.8.76]; ARM1176 is ARMv6KZ [1176 §1.1]',
  },
  {
    name: 'ldrexh',
    isa: 'arm',
    mask: 0x0ff00fff,
    value: 0x01f00f9f,
    needs: 'ARMv6K',
    ok: true,
    why: 'LDREXH A1 is ARMv6K [ARM A8.8.78]',
  },
  {
    name: 'ldrexd',
    isa: 'arm',
    mask: 0x0ff00fff,
    value: 0x01b00f9f,
    needs: 'ARMv6K',
    ok: true,
    why: "LDREXD A1 is ARMv6K [ARM A8.8.77]; Rust's 64-bit atomics for arm-unknown-linux-gnueabihf use it",
  },
  {
    name: 'strexb',
    isa: 'arm',
    mask: 0x0ff00ff0,
    value: 0x01c00f90,
    needs: 'ARMv6K',
    ok: true,
    why: 'STREXB A1 is ARMv6K [ARM A8.8.214]',
  },
  {
    name: 'strexh',
    isa: 'arm',
    mask: 0x0ff00ff0,
    value: 0x01e00f90,
    needs: 'ARMv6K',
    ok: true,
    why: 'STREXH A1 is ARMv6K [ARM A8.8.216]',
  },
  {
    name: 'strexd',
    isa: 'arm',
    mask: 0x0ff00ff0,
    value: 0x01a00f90,
    needs: 'ARMv6K',
    ok: true,
    why: 'STREXD A1 is ARMv6K [ARM A8.8.215]',
  },
  {
    name: 'clrex',
    isa: 'arm',
    mask: 0xffffffff,
    value: 0xf57ff01f,
    needs: 'ARMv6K',
    ok: true,
    why: 'CLREX A1 is ARMv6K [ARM A8.8.32]',
  },
  {
    name: 'nop/yield/wfe/wfi/sev/dbg (hint)',
    isa: 'arm',
    mask: 0x0fffff00,
    value: 0x0320f000,
    except: [UNCONDITIONAL],
    needs: 'ARMv6K',
    ok: true,
    why:
      'YIELD/WFE/WFI/SEV/NOP A1 are ARMv6K [ARM A8.8.424, A8.8.425, A8.8.426, A8.8.240, A8.8.109]; ' +
      'DBG A1 "executes as NOP in ARMv6K and ARMv6T2" [ARM A8.8.42]; the other hints (CSDB, ' +
      'SEVL) are MSR CPSR with an empty field mask there: no effect [ARM A5.2.11]',
  },

  // ARMv6T2 additions to the ARM instruction set [ARM D12.1: "ARMv6T2 ... BFC, BFI, MLS, MOVT,
  // MOVW, RBIT, SBFX, UBFX, LDRHT, LDRSBT, LDRSHT, STRHT"]; ARM1176 is not ARMv6T2.
  {
    name: 'movw',
    isa: 'arm',
    mask: 0x0ff00000,
    value: 0x03000000,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'MOVW A2 is ARMv6T2, ARMv7 [ARM A8.8.102]',
  },
  {
    name: 'movt',
    isa: 'arm',
    mask: 0x0ff00000,
    value: 0x03400000,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'MOVT A1 is ARMv6T2, ARMv7 [ARM A8.8.106]',
  },
  {
    name: 'bfc/bfi',
    isa: 'arm',
    mask: 0x0fe00070,
    value: 0x07c00010,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'BFC A1, BFI A1 are ARMv6T2, ARMv7 [ARM A8.8.15-16]',
  },
  {
    name: 'sbfx',
    isa: 'arm',
    mask: 0x0fe00070,
    value: 0x07a00050,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'SBFX A1 is ARMv6T2, ARMv7 [ARM A8.8.164]',
  },
  {
    name: 'ubfx',
    isa: 'arm',
    mask: 0x0fe00070,
    value: 0x07e00050,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'UBFX A1 is ARMv6T2, ARMv7 [ARM A8.8.246]',
  },
  {
    name: 'rbit',
    isa: 'arm',
    mask: 0x0fff0ff0,
    value: 0x06ff0f30,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'RBIT A1 is ARMv6T2, ARMv7 [ARM A8.8.144]',
  },
  {
    name: 'mls',
    isa: 'arm',
    mask: 0x0ff000f0,
    value: 0x00600090,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'MLS A1 is ARMv6T2, ARMv7 [ARM A8.8.101]',
  },
  {
    name: 'ldrht/strht',
    isa: 'arm',
    mask: 0x0f2000f0,
    value: 0x002000b0,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'LDRHT/STRHT A1/A2 are ARMv6T2, ARMv7 [ARM A8.8.85, A8.8.219]',
  },
  {
    name: 'ldrsbt/ldrsht',
    isa: 'arm',
    mask: 0x0f3000d0,
    value: 0x003000d0,
    except: [UNCONDITIONAL],
    needs: 'ARMv6T2/ARMv7',
    why: 'LDRSBT/LDRSHT A1/A2 are ARMv6T2, ARMv7 [ARM A8.8.89, A8.8.93]',
  },

  // ARMv7 additions [ARM D12.1; each page's encoding list].
  {
    name: 'dmb',
    isa: 'arm',
    mask: 0xfffffff0,
    value: 0xf57ff050,
    needs: 'ARMv7',
    why: 'DMB A1 is ARMv7 [ARM A8.8.43]; ARMv6 spells it mcr p15, 0, rX, c7, c10, 5',
  },
  {
    name: 'dsb',
    isa: 'arm',
    mask: 0xfffffff0,
    value: 0xf57ff040,
    needs: 'ARMv7',
    why: 'DSB A1 is ARMv7 [ARM A8.8.44]; ARMv6: mcr p15, 0, rX, c7, c10, 4',
  },
  {
    name: 'isb',
    isa: 'arm',
    mask: 0xfffffff0,
    value: 0xf57ff060,
    needs: 'ARMv7',
    why: 'ISB A1 is ARMv7 [ARM A8.8.53]; ARMv6: mcr p15, 0, rX, c7, c5, 4',
  },
  {
    name: 'pli',
    isa: 'arm',
    mask: 0xff70f000,
    value: 0xf450f000,
    needs: 'ARMv7',
    why: 'PLI (immediate) A1 is ARMv7 [ARM A8.8.130]',
  },
  {
    name: 'pli',
    isa: 'arm',
    mask: 0xff70f010,
    value: 0xf650f000,
    needs: 'ARMv7',
    why: 'PLI (register) A1 is ARMv7 [ARM A8.8.131]',
  },
  {
    name: 'pldw',
    isa: 'arm',
    mask: 0xff70f000,
    value: 0xf510f000,
    needs: 'ARMv7 MP',
    why: 'PLDW (immediate) A1 is ARMv7 with the Multiprocessing Extensions [ARM A8.8.127]',
  },
  {
    name: 'pldw',
    isa: 'arm',
    mask: 0xff70f010,
    value: 0xf710f000,
    needs: 'ARMv7 MP',
    why: 'PLDW (register) A1 is ARMv7 with the Multiprocessing Extensions [ARM A8.8.129]',
  },
  {
    name: 'sdiv',
    isa: 'arm',
    mask: 0x0ff0f0f0,
    value: 0x0710f010,
    except: [UNCONDITIONAL],
    needs: 'ARMv7VE (IDIV)',
    why: 'SDIV A1 needs the ARMv7 integer divide extension [ARM A8.8.165]',
  },
  {
    name: 'udiv',
    isa: 'arm',
    mask: 0x0ff0f0f0,
    value: 0x0730f010,
    except: [UNCONDITIONAL],
    needs: 'ARMv7VE (IDIV)',
    why: 'UDIV A1 needs the ARMv7 integer divide extension [ARM A8.8.248]',
  },

  // ARMv8 AArch32 additions [v8 F5.1].
  {
    name: 'lda/stl/ldaex/stlex',
    isa: 'arm',
    mask: 0x0f800cf0,
    value: 0x01800c90,
    except: [UNCONDITIONAL, [0x0f800ff0, 0x01800f90]],
    needs: 'ARMv8',
    why: 'Load-acquire/store-release are ARMv8 [v8 F5.1.49]; bits 11:8 = 1111 are the ldrex/strex family',
  },
  {
    name: 'crc32',
    isa: 'arm',
    mask: 0x0f900df0,
    value: 0x01000040,
    except: [UNCONDITIONAL],
    needs: 'ARMv8 CRC',
    why: 'CRC32/CRC32C A1 are ARMv8 [v8 F6.1.38-39]',
  },
];

export const VFP_RULES: readonly InstructionRule[] = [
  // Advanced SIMD (NEON): the ARM1176 has none [1176 §20.1; ARM A7.4, A7.7, A7.8].
  {
    name: 'NEON data processing',
    isa: 'vfp',
    mask: 0xfe000000,
    value: 0xf2000000,
    needs: 'NEON',
    why: 'The Advanced SIMD data-processing space [ARM A7.4]',
  },
  {
    name: 'NEON vld/vst (element or structure)',
    isa: 'vfp',
    mask: 0xff100000,
    value: 0xf4000000,
    needs: 'NEON',
    why: 'Advanced SIMD element or structure load/store [ARM A7.7]',
  },
  {
    name: 'vmov/vdup with an 8- or 16-bit scalar',
    isa: 'vfp',
    mask: 0x0f000f1f,
    value: 0x0e000b10,
    except: [UNCONDITIONAL, [0x0fc00f7f, 0x0e000b10]],
    needs: 'NEON',
    why:
      'Core register to/from 8/16-bit scalar and VDUP are Advanced SIMD; only the 32-bit ' +
      'scalar form (opc1 = 0x, opc2 = 00) is VFPv2 [ARM A7.8, A8.8.341-342, A8.8.294]',
  },

  // VFPv3 additions over the ARM1176's VFPv2 [ARM D12.7 "VFPv3 ... adds VMOV (immediate),
  // VCVT between floating-point and fixed-point, and 16 more doubleword registers"].
  {
    name: 'vmov immediate',
    isa: 'vfp',
    mask: 0x0fb00e50,
    value: 0x0eb00a00,
    except: [UNCONDITIONAL],
    needs: 'VFPv3',
    why: 'VMOV (immediate) A2 is VFPv3 [ARM A8.8.339]',
  },
  {
    name: 'vcvt fixed-point',
    isa: 'vfp',
    mask: 0x0fba0e50,
    value: 0x0eba0a40,
    except: [UNCONDITIONAL],
    needs: 'VFPv3',
    why: 'VCVT (between floating-point and fixed-point) A1 is VFPv3 [ARM A8.8.309]',
  },
  {
    name: 'vcvtb/vcvtt (half precision)',
    isa: 'vfp',
    mask: 0x0fbe0e50,
    value: 0x0eb20a40,
    except: [UNCONDITIONAL],
    needs: 'VFPv3 half-precision',
    why: 'VCVTB/VCVTT A1 are VFPv3HP/VFPv4 [ARM A8.8.311]',
  },
  {
    name: 'vfma/vfms',
    isa: 'vfp',
    mask: 0x0fb00e10,
    value: 0x0ea00a00,
    except: [UNCONDITIONAL],
    needs: 'VFPv4',
    why: 'VFMA/VFMS A2 are VFPv4 [ARM A8.8.318]',
  },
  {
    name: 'vfnma/vfnms',
    isa: 'vfp',
    mask: 0x0fb00e10,
    value: 0x0e900a00,
    except: [UNCONDITIONAL],
    needs: 'VFPv4',
    why: 'VFNMA/VFNMS A1 are VFPv4 [ARM A8.8.319]',
  },
  {
    name: 'vsel/vmaxnm/vminnm/vrint[anpm]/vcvt[anpm]',
    isa: 'vfp',
    mask: 0xff000e10,
    value: 0xfe000a00,
    needs: 'ARMv8 FP',
    why: 'The unconditional floating-point space is ARMv8 [v8 F5.1.26]',
  },
  {
    name: 'vrintr/vrintz',
    isa: 'vfp',
    mask: 0x0fbf0e50,
    value: 0x0eb60a40,
    except: [UNCONDITIONAL],
    needs: 'ARMv8 FP',
    why: 'VRINTR/VRINTZ are ARMv8 [v8 F6.1.233, F6.1.235]',
  },
  {
    name: 'vrintx',
    isa: 'vfp',
    mask: 0x0fbf0ed0,
    value: 0x0eb70a40,
    except: [UNCONDITIONAL],
    needs: 'ARMv8 FP',
    why: 'VRINTX is ARMv8 [v8 F6.1.234]',
  },
  {
    name: 'vjcvt',
    isa: 'vfp',
    mask: 0x0fbf0fd0,
    value: 0x0eb90bc0,
    except: [UNCONDITIONAL],
    needs: 'ARMv8.3 FP',
    why: 'VJCVT is ARMv8.3 [v8 F6.1.105]',
  },
  {
    name: 'half-precision arithmetic',
    isa: 'vfp',
    mask: 0x0f000f10,
    value: 0x0e000900,
    except: [UNCONDITIONAL],
    needs: 'ARMv8.2 FP16',
    why: 'Coprocessor 9 data processing is the ARMv8.2 FP16 extension [v8 F5.1.26]',
  },

  // d16–d31 exist only in VFPv3-D32 / NEON [ARM A2.6.1; 1176 §20.1: 16 doubleword registers].
  // Double precision is sz = 1 (coprocessor 11, bits 11:8 = 1011). D, N and M are the top bits
  // of the destination and operand register numbers [ARM A7.5, A8.8.283].
  {
    name: 'double-precision op writing d16-d31',
    isa: 'vfp',
    mask: 0x0f400f10,
    value: 0x0e400b00,
    except: [UNCONDITIONAL, [0x0fbf0fd0, 0x0eb70bc0], [0x0fbe0f50, 0x0ebc0b40]],
    needs: 'VFPv3-D32',
    why:
      'D:Vd ≥ 16; excluded: vcvt.f32.f64 and vcvt to integer, whose destination is a single ' +
      'register (D is then its low bit) [ARM A8.8.307, A8.8.306]',
  },
  {
    name: 'double-precision op reading d16-d31 (Vn)',
    isa: 'vfp',
    mask: 0x0f000f90,
    value: 0x0e000b80,
    except: [UNCONDITIONAL, [0x0fb00f00, 0x0eb00b00]],
    needs: 'VFPv3-D32',
    why:
      'N:Vn ≥ 16 in a three-register op; in the two-register group (opc1 = 1x11) bit 7 is an ' +
      'opcode bit [ARM A7.5]',
  },
  {
    name: 'double-precision op reading d16-d31 (Vm)',
    isa: 'vfp',
    mask: 0x0f000f30,
    value: 0x0e000b20,
    except: [UNCONDITIONAL, [0x0fbf0f50, 0x0eb80b40]],
    needs: 'VFPv3-D32',
    why:
      'M:Vm ≥ 16; excluded: vcvt.f64 from integer, whose source is a single register ' +
      '[ARM A8.8.306]',
  },
  {
    name: 'vcvt.f64.f32 writing d16-d31',
    isa: 'vfp',
    mask: 0x0fff0fd0,
    value: 0x0ef70ac0,
    except: [UNCONDITIONAL],
    needs: 'VFPv3-D32',
    why: 'vcvt.f64.f32 is encoded with sz = 0 but writes D:Vd, a double register [ARM A8.8.307]',
  },
  {
    name: 'vmov.32 d16-d31[x]',
    isa: 'vfp',
    mask: 0x0fc00fff,
    value: 0x0e000b90,
    except: [UNCONDITIONAL],
    needs: 'VFPv3-D32',
    why: 'A 32-bit scalar move whose D (or N) bit selects d16–d31 [ARM A8.8.341-342]',
  },
  {
    name: 'vmov rX, rY, d16-d31',
    isa: 'vfp',
    mask: 0x0fe00ff0,
    value: 0x0c400b30,
    except: [UNCONDITIONAL],
    needs: 'VFPv3-D32',
    why: 'Two core registers to/from a doubleword register with M = 1 [ARM A8.8.346]',
  },
  {
    name: 'vldr/vstr d16-d31',
    isa: 'vfp',
    mask: 0x0f600f00,
    value: 0x0d400b00,
    except: [UNCONDITIONAL],
    needs: 'VFPv3-D32',
    why: 'VLDR/VSTR of a doubleword register with D = 1 [ARM A8.8.333, A8.8.413]',
  },
  {
    name: 'vldm/vstm/vpush/vpop reaching d16-d31',
    isa: 'vfp',
    mask: 0x0e000f00,
    value: 0x0c000b00,
    test: 'doubleRegsBeyondD15',
    needs: 'VFPv3-D32',
    except: [UNCONDITIONAL, [0x0f200f00, 0x0d000b00], [0x0fa00f00, 0x0c000b00]],
    why:
      'D:Vd + imm8/2 > 16 in a doubleword multiple transfer; excluded: vldr/vstr (P = 1, ' +
      'W = 0) and the 64-bit core transfers (P = U = W = 0) [ARM A7.6, A8.8.332, A8.8.412]',
  },
];

export const THUMB16_RULES: readonly InstructionRule[] = [
  // ARMv6's Thumb is Thumb-1 plus the v6 additions (cps, setend, rev*, sxt*/uxt*, cpy); these
  // 16-bit encodings came with Thumb-2 [ARM D12.1, A6.2.5].
  {
    name: 'nop/yield/wfe/wfi/sev (16-bit Thumb hint)',
    isa: 'thumb16',
    mask: 0xff0f,
    value: 0xbf00,
    needs: 'ARMv6T2/ARMv7',
    why:
      'The 16-bit Thumb hints are ARMv6T2, ARMv7 [ARM A8.8.120 NOP T1]; ARMv6 Thumb code pads ' +
      'with mov r8, r8',
  },
  {
    name: 'it',
    isa: 'thumb16',
    mask: 0xff00,
    value: 0xbf00,
    needs: 'ARMv6T2/ARMv7',
    why: 'IT T1 is ARMv6T2, ARMv7 [ARM A8.8.54]',
  },
  {
    name: 'cbz/cbnz',
    isa: 'thumb16',
    mask: 0xf500,
    value: 0xb100,
    needs: 'ARMv6T2/ARMv7',
    why: 'CBNZ/CBZ T1 are ARMv6T2, ARMv7 [ARM A8.8.29]',
  },
];

export const THUMB32_RULES: readonly InstructionRule[] = [
  // ARMv6 has exactly one 32-bit Thumb instruction: the BL/BLX prefix+suffix pair, whose J1/J2
  // bits (13, 11 of the second halfword) are 1 because they were part of the suffix opcode
  // [ARM A8.8.25 "BL, BLX (immediate) T1, T2: All versions of the Thumb ISA", A6.7.18 note on
  // J1/J2: "ARMv6 ... J1 and J2 were both 1"].
  { name: 'bl', isa: 'thumb32', mask: 0xf800f800, value: 0xf000f800, needs: 'Thumb-1', ok: true,
    why: 'BL T1 with J1 = J2 = 1 is the ARMv6 prefix/suffix pair [ARM A8.8.25]' },
  { name: 'blx', isa: 'thumb32', mask: 0xf800f801, value: 0xf000e800, needs: 'Thumb-1 (v5T)',
    ok: true, why: 'BLX (immediate) T2 with J1 = J2 = 1 is the ARMv5T/ARMv6 pair [ARM A8.8.25]' },
  { name: 'bl/blx beyond ±4 MiB', isa: 'thumb32', mask: 0xf800c000, value: 0xf000c000,
    needs: 'Thumb-2', why: 'J1/J2 ≠ 1 extends the range to ±16 MiB: Thumb-2 only [ARM A8.8.25]' },

  // Specific names for the instructions people grep for [ARM A6.3].
  { name: 'movw', isa: 'thumb32', mask: 0xfbf08000, value: 0xf2400000, needs: 'Thumb-2',
    why: 'MOVW T3 [ARM A8.8.102]' },
  { name: 'movt', isa: 'thumb32', mask: 0xfbf08000, value: 0xf2c00000, needs: 'Thumb-2',
    why: 'MOVT T1 [ARM A8.8.106]' },
  { name: 'dsb', isa: 'thumb32', mask: 0xfffffff0, value: 0xf3bf8f40, needs: 'Thumb-2',
    why: 'DSB T1 [ARM A8.8.44]' },
  { name: 'dmb', isa: 'thumb32', mask: 0xfffffff0, value: 0xf3bf8f50, needs: 'Thumb-2',
    why: 'DMB T1 [ARM A8.8.43]' },
  { name: 'isb', isa: 'thumb32', mask: 0xfffffff0, value: 0xf3bf8f60, needs: 'Thumb-2',
    why: 'ISB T1 [ARM A8.8.53]' },
  { name: 'sbfx', isa: 'thumb32', mask: 0xfbf08020, value: 0xf3400000, needs: 'Thumb-2',
    why: 'SBFX T1 [ARM A8.8.164]' },
  { name: 'bfc/bfi', isa: 'thumb32', mask: 0xfbf08020, value: 0xf3600000, needs: 'Thumb-2',
    why: 'BFC T1, BFI T1 [ARM A8.8.15-16]' },
  { name: 'ubfx', isa: 'thumb32', mask: 0xfbf08020, value: 0xf3c00000, needs: 'Thumb-2',
    why: 'UBFX T1 [ARM A8.8.246]' },
  { name: 'rbit', isa: 'thumb32', mask: 0xfff0f0f0, value: 0xfa90f0a0, needs: 'Thumb-2',
    why: 'RBIT T1 [ARM A8.8.144]' },
  { name: 'sdiv', isa: 'thumb32', mask: 0xfff0f0f0, value: 0xfb90f0f0, needs: 'Thumb-2 + IDIV',
    why: 'SDIV T1 [ARM A8.8.165]' },
  { name: 'udiv', isa: 'thumb32', mask: 0xfff0f0f0, value: 0xfbb0f0f0, needs: 'Thumb-2 + IDIV',
    why: 'UDIV T1 [ARM A8.8.248]' },
  { name: 'b.w', isa: 'thumb32', mask: 0xf800d000, value: 0xf0009000, needs: 'Thumb-2',
    why: 'B T4 [ARM A8.8.18]' },
  { name: 'b<cond>.w / msr / mrs / cps.w', isa: 'thumb32', mask: 0xf800d000, value: 0xf0008000,
    needs: 'Thumb-2', why: 'Branches and miscellaneous control [ARM A6.3.4]' },

  // The encoding groups of 32-bit Thumb [ARM A6.3, table A6-9].
  { name: 'ldm.w/stm.w/push.w/pop.w', isa: 'thumb32', mask: 0xfe400000, value: 0xe8000000,
    needs: 'Thumb-2', why: 'Load/store multiple [ARM A6.3.5]' },
  { name: 'ldrd/strd/ldrex/strex/tbb/tbh', isa: 'thumb32', mask: 0xfe400000, value: 0xe8400000,
    needs: 'Thumb-2', why: 'Load/store dual, exclusive, table branch [ARM A6.3.6]' },
  { name: 'data processing (shifted register), e.g. mov.w/add.w/orr.w', isa: 'thumb32',
    mask: 0xfe000000, value: 0xea000000, needs: 'Thumb-2',
    why: 'Data-processing (shifted register) [ARM A6.3.11]' },
  { name: 'NEON vld/vst (Thumb-2 encoding)', isa: 'thumb32', mask: 0xff100000, value: 0xf9000000,
    needs: 'Thumb-2 + NEON', why: 'Advanced SIMD element or structure load/store [ARM A7.7]' },
  { name: 'coprocessor/VFP/NEON (Thumb-2 encoding)', isa: 'thumb32', mask: 0xec000000,
    value: 0xec000000, needs: 'Thumb-2', refineAsVfp: true,
    why: 'Coprocessor, Advanced SIMD and floating-point instructions [ARM A6.3.18]' },
  { name: 'data processing (modified immediate), e.g. add.w/orr.w #imm', isa: 'thumb32',
    mask: 0xfa008000, value: 0xf0000000, needs: 'Thumb-2',
    why: 'Data-processing (modified immediate) [ARM A6.3.1]' },
  { name: 'data processing (plain immediate), e.g. addw/subw/ssat', isa: 'thumb32',
    mask: 0xfa008000, value: 0xf2000000, needs: 'Thumb-2',
    why: 'Data-processing (plain binary immediate) [ARM A6.3.3]' },
  { name: 'ldr.w/str.w/ldrb.w/pld (load/store single)', isa: 'thumb32', mask: 0xfe000000,
    value: 0xf8000000, needs: 'Thumb-2', why: 'Load/store single data item [ARM A6.3.7-10]' },
  { name: 'data processing (register), e.g. lsl.w/uxtb.w/rev.w', isa: 'thumb32', mask: 0xff000000,
    value: 0xfa000000, needs: 'Thumb-2', why: 'Data-processing (register) [ARM A6.3.12]' },
  { name: 'mul/mla/smla* (Thumb-2 multiply)', isa: 'thumb32', mask: 0xff800000, value: 0xfb000000,
    needs: 'Thumb-2', why: 'Multiply, multiply accumulate, absolute difference [ARM A6.3.16]' },
  { name: 'umull/smull/umlal (Thumb-2 long multiply)', isa: 'thumb32', mask: 0xff800000,
    value: 0xfb800000, needs: 'Thumb-2', why: 'Long multiply, long multiply accumulate [ARM A6.3.17]' },
  { name: '32-bit Thumb-2 instruction', isa: 'thumb32', mask: 0, value: 0, needs: 'Thumb-2',
    why: 'Every 32-bit Thumb encoding other than the BL/BLX pair is Thumb-2 [ARM A6.1]' },
]; // prettier-ignore

/**
 * Functions that hold newer-CPU code on purpose: their libraries pick them at run time from the
 * kernel's hwcaps (or reach them only for registers an ARMv6 never saved), so an ARM1176 never
 * executes them. Matched against the symbol the offending instruction lies in.
 */
export interface RuntimeSelected {
  readonly name: string | RegExp;
  readonly library: string;
  readonly why: string;
}

export const RUNTIME_SELECTED: readonly RuntimeSelected[] = [
  { name: '__a_barrier_v7', library: 'musl',
    why: 'src/thread/arm/__set_thread_area.c points __a_barrier_ptr at it only when AT_HWCAP has ' +
      'HWCAP_TLS and AT_PLATFORM reads v7 or newer' },
  { name: '__a_cas_v7', library: 'musl',
    why: 'selected with __a_barrier_v7, for ARMv7 kernels/CPUs only (src/thread/arm/atomics.s)' },
  { name: /^_ZN9libunwind13Registers_arm9saveVFPv3E/, library: 'LLVM libunwind',
    why: 'Registers_arm::saveVFPv3 (vstmia {d16-d31}) runs only when an unwind table names d16–d31, ' +
      'which ARMv6 code (16 doubleword registers) never saves' },
  { name: /^_ZN9libunwind13Registers_arm12restoreVFPv3E/, library: 'LLVM libunwind',
    why: 'Registers_arm::restoreVFPv3 (vldmia {d16-d31}): only after saveVFPv3' },
  { name: '__gnu_Unwind_Save_VFP_D_16_to_31', library: 'libgcc',
    why: 'config/arm/libunwind.S: called by the EHABI unwinder only for a frame that saved d16–d31' },
  { name: '__gnu_Unwind_Restore_VFP_D_16_to_31', library: 'libgcc',
    why: 'config/arm/libunwind.S: the restore half of __gnu_Unwind_Save_VFP_D_16_to_31' },
]; // prettier-ignore
