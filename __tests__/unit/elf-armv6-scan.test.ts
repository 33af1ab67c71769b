import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  ARM_RULES,
  THUMB16_RULES,
  THUMB32_RULES,
  VFP_RULES,
  type InstructionRule,
} from '../../src/elf/armv6-rules.js';
import {
  matchArm,
  matchThumb16,
  matchThumb32,
  scanArmv6,
  type Armv6Scan,
} from '../../src/elf/armv6-scan.js';
import { verifyBytes, type Verdict } from '../../src/elf/verify.js';
import { targetSpec } from '../../src/targets/table.js';
import { elfCorpus, type Corpus, type CorpusName } from '../helpers/elf-corpus.js';

// Instruction words as GNU as 2.40 (Debian 12) encodes them; the last describe block re-assembles
// every line and checks the words, so the tables cannot drift from real encodings. null: runs on
// an ARM1176JZF-S (ARMv6KZ + VFPv2), nothing to report; 'ok:<rule>': allowed by a named rule.
const ARM: [number, string, string | null][] = [
  [0xe1910f9f, 'ldrex r0, [r1]', null],
  [0xe1812f90, 'strex r2, r0, [r1]', null],
  [0xe1b20f9f, 'ldrexd r0, r1, [r2]', 'ok:ldrexd'],
  [0xe1d20f9f, 'ldrexb r0, [r2]', 'ok:ldrexb'],
  [0xe1f20f9f, 'ldrexh r0, [r2]', 'ok:ldrexh'],
  [0xe1a23f90, 'strexd r3, r0, r1, [r2]', 'ok:strexd'],
  [0xe1c23f90, 'strexb r3, r0, [r2]', 'ok:strexb'],
  [0xe1e23f90, 'strexh r3, r0, [r2]', 'ok:strexh'],
  [0xf57ff01f, 'clrex', 'ok:clrex'],
  [0xe6bf0f31, 'rev r0, r1', null],
  [0xe6bf0fb1, 'rev16 r0, r1', null],
  [0xe6ef0071, 'uxtb r0, r1', null],
  [0xe6ff0071, 'uxth r0, r1', null],
  [0xe6af0071, 'sxtb r0, r1', null],
  [0xe6e10072, 'uxtab r0, r1, r2', null],
  [0xe7003211, 'smlad r0, r1, r2, r3', null],
  [0xe750f211, 'smmul r0, r1, r2', null],
  [0xe6e80011, 'usat r0, #8, r1', null],
  [0xe6a70011, 'ssat r0, #8, r1', null],
  [0xe6810fb2, 'sel r0, r1, r2', null],
  [0xe6810012, 'pkhbt r0, r1, r2', null],
  [0xe6510f92, 'uadd8 r0, r1, r2', null],
  [0xe0410392, 'umaal r0, r1, r2, r3', null],
  [0xee070fba, 'mcr p15, 0, r0, c7, c10, 5', null], // the ARMv6 barrier
  [0xee1d0f70, 'mrc p15, 0, r0, c13, c0, 3', null], // TPIDRURO, ARMv6K
  [0xf5d0f000, 'pld [r0]', null],
  [0xe320f000, 'nop', 'ok:nop/yield/wfe/wfi/sev/dbg (hint)'],
  [0xe320f001, 'yield', 'ok:nop/yield/wfe/wfi/sev/dbg (hint)'],
  [0xe320f002, 'wfe', 'ok:nop/yield/wfe/wfi/sev/dbg (hint)'],
  [0xe320f004, 'sev', 'ok:nop/yield/wfe/wfi/sev/dbg (hint)'],
  [0xe320f0f5, 'dbg #5', 'ok:nop/yield/wfe/wfi/sev/dbg (hint)'],
  [0xe7f000f0, 'udf #0', null],
  [0xe12fff1e, 'bx lr', null],
  [0xe12fff33, 'blx r3', null],
  [0xe3a00000, 'mov r0, #0', null],
  [0xe0203291, 'mla r0, r1, r2, r3', null],
  [0xe1c020d0, 'ldrd r2, r3, [r0]', null],
  [0xe1c020f0, 'strd r2, r3, [r0]', null],
  [0xe0d100b2, 'ldrh r0, [r1], #2', null], // post-indexed, W = 0: not ldrht
  [0xe0d100f2, 'ldrsh r0, [r1], #2', null],
  [0xe1f100b2, 'ldrh r0, [r1, #2]!', null],
  // VFPv2, d0-d15 only.
  [0xee310b02, 'vadd.f64 d0, d1, d2', null],
  [0xee3efb0d, 'vadd.f64 d15, d14, d13', null],
  [0xee200a81, 'vmul.f32 s0, s1, s2', null],
  [0xee010b02, 'vmla.f64 d0, d1, d2', null],
  [0xee810b02, 'vdiv.f64 d0, d1, d2', null],
  [0xee210b42, 'vnmul.f64 d0, d1, d2', null],
  [0xeeb1fbcf, 'vsqrt.f64 d15, d15', null],
  [0xeeb50b40, 'vcmp.f64 d0, #0', null],
  [0xeeb00b41, 'vmov.f64 d0, d1', null],
  [0xeeb70ac0, 'vcvt.f64.f32 d0, s0', null],
  [0xeef7fbcf, 'vcvt.f32.f64 s31, d15', null], // D is the low bit of s31, not d16+
  [0xeefdfbcf, 'vcvt.s32.f64 s31, d15', null],
  [0xeeb8fbef, 'vcvt.f64.s32 d15, s31', null], // M is the low bit of s31
  [0xed90fb00, 'vldr d15, [r0]', null],
  [0xed8dfb02, 'vstr d15, [sp, #8]', null],
  [0xed2d8b10, 'vpush {d8-d15}', null],
  [0xecbd8b10, 'vpop {d8-d15}', null],
  [0xec900b20, 'vldmia r0, {d0-d15}', null],
  [0xec510b1f, 'vmov r0, r1, d15', null],
  [0xee2f0b10, 'vmov.32 d15[1], r0', null],
  [0xee3f0b10, 'vmov.32 r0, d15[1]', null],
  [0xeef1fa10, 'vmrs APSR_nzcv, fpscr', null],
  [0xeee10a10, 'vmsr fpscr, r0', null],
  // ARMv6T2 / ARMv7.
  [0xe3010234, 'movw r0, #0x1234', 'movw'],
  [0xe3410234, 'movt r0, #0x1234', 'movt'],
  [0xf57ff05b, 'dmb ish', 'dmb'],
  [0xf57ff04f, 'dsb sy', 'dsb'],
  [0xf57ff06f, 'isb sy', 'isb'],
  [0xe7e301d1, 'ubfx r0, r1, #3, #4', 'ubfx'],
  [0xe7a301d1, 'sbfx r0, r1, #3, #4', 'sbfx'],
  [0xe7c60191, 'bfi r0, r1, #3, #4', 'bfc/bfi'],
  [0xe7c6019f, 'bfc r0, #3, #4', 'bfc/bfi'],
  [0xe6ff0f31, 'rbit r0, r1', 'rbit'],
  [0xe710f211, 'sdiv r0, r1, r2', 'sdiv'],
  [0xe730f211, 'udiv r0, r1, r2', 'udiv'],
  [0xe0603291, 'mls r0, r1, r2, r3', 'mls'],
  [0xf4d0f000, 'pli [r0]', 'pli'],
  [0xf590f000, 'pldw [r0]', 'pldw'],
  [0xf6d0f001, 'pli [r0, r1]', 'pli'],
  [0xf790f001, 'pldw [r0, r1]', 'pldw'],
  [0xe0f100b2, 'ldrht r0, [r1], #2', 'ldrht/strht'],
  [0xe0e100b2, 'strht r0, [r1], #2', 'ldrht/strht'],
  [0xe0f100d2, 'ldrsbt r0, [r1], #2', 'ldrsbt/ldrsht'],
  [0xe0f100f2, 'ldrsht r0, [r1], #2', 'ldrsbt/ldrsht'],
  // ARMv8 AArch32.
  [0xe1910c9f, 'lda r0, [r1]', 'lda/stl/ldaex/stlex'],
  [0xe181fc90, 'stl r0, [r1]', 'lda/stl/ldaex/stlex'],
  [0xe1910e9f, 'ldaex r0, [r1]', 'lda/stl/ldaex/stlex'],
  [0xe1010042, 'crc32b r0, r1, r2', 'crc32'],
  // NEON.
  [0xf2220844, 'vadd.i32 q0, q1, q2', 'NEON data processing'],
  [0xf420070f, 'vld1.8 {d0}, [r0]', 'NEON vld/vst (element or structure)'],
  [0xee400b30, 'vmov.8 d0[1], r0', 'vmov/vdup with an 8- or 16-bit scalar'],
  [0xeed00b30, 'vmov.u8 r0, d0[1]', 'vmov/vdup with an 8- or 16-bit scalar'],
  [0xeea00b10, 'vdup.32 q0, r0', 'vmov/vdup with an 8- or 16-bit scalar'],
  [0xf3b00302, 'aese.8 q0, q1', 'NEON data processing'],
  // d16-d31.
  [0xee100b90, 'vmov.32 r0, d16[0]', 'vmov.32 d16-d31[x]'],
  [0xee200b90, 'vmov.32 d16[1], r0', 'vmov.32 d16-d31[x]'],
  [0xec510b30, 'vmov r0, r1, d16', 'vmov rX, rY, d16-d31'],
  [0xedd00b00, 'vldr d16, [r0]', 'vldr/vstr d16-d31'],
  [0xecd00b20, 'vldmia r0, {d16-d31}', 'vldm/vstm/vpush/vpop reaching d16-d31'],
  [0xec90ab10, 'vldmia r0, {d10-d17}', 'vldm/vstm/vpush/vpop reaching d16-d31'],
  [0xed2d8b12, 'vpush {d8-d16}', 'vldm/vstm/vpush/vpop reaching d16-d31'],
  [0xee700b01, 'vadd.f64 d16, d0, d1', 'double-precision op writing d16-d31'],
  [0xee300b81, 'vadd.f64 d0, d16, d1', 'double-precision op reading d16-d31 (Vn)'],
  [0xee310b20, 'vadd.f64 d0, d1, d16', 'double-precision op reading d16-d31 (Vm)'],
  [0xeef70ac0, 'vcvt.f64.f32 d16, s0', 'vcvt.f64.f32 writing d16-d31'],
  [0xeeb70be0, 'vcvt.f32.f64 s0, d16', 'double-precision op reading d16-d31 (Vm)'],
  [0xeebd0be0, 'vcvt.s32.f64 s0, d16', 'double-precision op reading d16-d31 (Vm)'],
  [0xeef80bc0, 'vcvt.f64.s32 d16, s0', 'double-precision op writing d16-d31'],
  // VFPv3, VFPv4, ARMv8 FP.
  [0xeeb70b00, 'vmov.f64 d0, #1.0', 'vmov immediate'],
  [0xeeb70a00, 'vmov.f32 s0, #1.0', 'vmov immediate'],
  [0xeeba0bc8, 'vcvt.f64.s32 d0, d0, #16', 'vcvt fixed-point'],
  [0xeeb20a60, 'vcvtb.f32.f16 s0, s1', 'vcvtb/vcvtt (half precision)'],
  [0xeea10b02, 'vfma.f64 d0, d1, d2', 'vfma/vfms'],
  [0xee900ac1, 'vfnma.f32 s0, s1, s2', 'vfnma/vfnms'],
  [0xeeb60bc1, 'vrintz.f64 d0, d1', 'vrintr/vrintz'],
  [0xeeb70a60, 'vrintx.f32 s0, s1', 'vrintx'],
  [0xfe010b02, 'vseleq.f64 d0, d1, d2', 'vsel/vmaxnm/vminnm/vrint[anpm]/vcvt[anpm]'],
  [0xfe810b02, 'vmaxnm.f64 d0, d1, d2', 'vsel/vmaxnm/vminnm/vrint[anpm]/vcvt[anpm]'],
  [0xeeb90bc0, 'vjcvt.s32.f64 s0, d0', 'vjcvt'],
  [0xee300981, 'vadd.f16 s0, s1, s2', 'half-precision arithmetic'],
];

const THUMB16: [number, string, string | null][] = [
  [0xb510, 'push {r4, lr}', null],
  [0xbd10, 'pop {r4, pc}', null],
  [0x46c0, 'mov r8, r8', null], // the ARMv6 Thumb nop
  [0xba08, 'rev r0, r1', null],
  [0xba48, 'rev16 r0, r1', null],
  [0xbac8, 'revsh r0, r1', null],
  [0xb2c8, 'uxtb r0, r1', null],
  [0xb208, 'sxth r0, r1', null],
  [0xb672, 'cpsid i', null],
  [0xbe00, 'bkpt #0', null],
  [0xdf00, 'svc #0', null],
  [0xde00, 'udf #0', null],
  [0x4801, 'ldr r0, [pc, #4]', null],
  [0x3001, 'adds r0, #1', null],
  [0x4770, 'bx lr', null],
  [0x4798, 'blx r3', null],
  [0xbf00, 'nop', 'nop/yield/wfe/wfi/sev (16-bit Thumb hint)'],
  [0xbf10, 'yield', 'nop/yield/wfe/wfi/sev (16-bit Thumb hint)'],
  [0xbf30, 'wfi', 'nop/yield/wfe/wfi/sev (16-bit Thumb hint)'],
  [0xbf08, 'it eq', 'it'],
  [0xb108, 'cbz r0, .+6', 'cbz/cbnz'],
  [0xb908, 'cbnz r0, .+6', 'cbz/cbnz'],
];

const THUMB32: [number, string, string | null][] = [
  // The ARMv6 BL/BLX prefix+suffix pairs (J1 = J2 = 1).
  [0xf7fffffe, 'bl .', 'ok:bl'],
  [0xf000f820, 'bl .+0x44', 'ok:bl'],
  [0xf000e824, 'blx .+0x4c', 'ok:blx'],
  [0xf000d000, 'bl (J1 = 1, J2 = 0: beyond ±4 MiB)', 'bl/blx beyond ±4 MiB'],
  [0xe8510f00, 'ldrex r0, [r1]', 'ldrd/strd/ldrex/strex/tbb/tbh'],
  [0xf8d10fff, 'ldr.w r0, [r1, #4095]', 'ldr.w/str.w/ldrb.w/pld (load/store single)'],
  [0xf2412034, 'movw r0, #0x1234', 'movw'],
  [0xf2c12034, 'movt r0, #0x1234', 'movt'],
  [0xf3bf8f5b, 'dmb ish', 'dmb'],
  [0xf3bf8f4f, 'dsb sy', 'dsb'],
  [0xf3bf8f6f, 'isb sy', 'isb'],
  [0xf34100c3, 'sbfx r0, r1, #3, #4', 'sbfx'],
  [0xf36100c6, 'bfi r0, r1, #3, #4', 'bfc/bfi'],
  [0xfbb1f0f2, 'udiv r0, r1, r2', 'udiv'],
  [0xf000b800, 'b.w .+4', 'b.w'],
  [0xf0008000, 'beq.w .+4', 'b<cond>.w / msr / mrs / cps.w'],
  [0xf3c100c3, 'ubfx r0, r1, #3, #4', 'ubfx'],
  [0xfb91f0f2, 'sdiv r0, r1, r2', 'sdiv'],
  [0xfa91f0a1, 'rbit r0, r1', 'rbit'],
  [0xeb0100c2, 'add.w r0, r1, r2, lsl #3', 'data processing (shifted register), e.g. mov.w/add.w/orr.w'],
  [0xf04f10ff, 'mov.w r0, #0x00ff00ff', 'data processing (modified immediate), e.g. add.w/orr.w #imm'],
  [0xf60170ff, 'addw r0, r1, #0xfff', 'data processing (plain immediate), e.g. addw/subw/ssat'],
  [0xe92d4ff0, 'push.w {r4-r11, lr}', 'ldm.w/stm.w/push.w/pop.w'],
  [0xe9d20100, 'ldrd r0, r1, [r2]', 'ldrd/strd/ldrex/strex/tbb/tbh'],
  [0xe8d0f001, 'tbb [r0, r1]', 'ldrd/strd/ldrex/strex/tbb/tbh'],
  [0xfba20103, 'umull r0, r1, r2, r3', 'umull/smull/umlal (Thumb-2 long multiply)'],
  [0xfb01f002, 'mul.w r0, r1, r2', 'mul/mla/smla* (Thumb-2 multiply)'],
  [0xfa01f002, 'lsl.w r0, r1, r2', 'data processing (register), e.g. lsl.w/uxtb.w/rev.w'],
  // Floating point in Thumb state is Thumb-2 even when it is VFPv2; named from the VFP table.
  [0xeef70b00, 'vmov.f64 d16, #1.0', 'vmov immediate'],
  [0xee310b02, 'vadd.f64 d0, d1, d2', 'coprocessor/VFP/NEON (Thumb-2 encoding)'],
  [0xed2d8b10, 'vpush {d8-d15}', 'coprocessor/VFP/NEON (Thumb-2 encoding)'],
  [0xef220844, 'vadd.i32 q0, q1, q2', 'NEON data processing'],
  [0xf920070f, 'vld1.8 {d0}, [r0]', 'NEON vld/vst (Thumb-2 encoding)'],
  [0xfe010b02, 'vseleq.f64 d0, d1, d2', 'vsel/vmaxnm/vminnm/vrint[anpm]/vcvt[anpm]'],
]; // prettier-ignore

// Unreachable: the groups before it cover every 32-bit Thumb encoding; it stays as the safe default.
const UNTESTED = ['thumb32: 32-bit Thumb-2 instruction'];

function verdict(rule: { name: string; ok?: true } | null): string | null {
  return rule === null ? null : rule.ok ? `ok:${rule.name}` : rule.name;
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

describe('instruction rules', () => {
  it.each(ARM.map(([w, t, e]) => [hex(w), t, e] as const))('ARM %s %s → %s', (w, _t, e) => {
    expect(verdict(matchArm(parseInt(w, 16)))).toBe(e);
  });
  it.each(THUMB16.map(([w, t, e]) => [hex(w), t, e] as const))('Thumb %s %s → %s', (w, _t, e) => {
    expect(verdict(matchThumb16(parseInt(w, 16)))).toBe(e);
  });
  it.each(THUMB32.map(([w, t, e]) => [hex(w), t, e] as const))('Thumb-2 %s %s → %s', (w, _t, e) => {
    expect(verdict(matchThumb32(parseInt(w, 16)))).toBe(e);
  });

  it('exercises every rule of the tables', () => {
    const hit = new Set<InstructionRule | null>([
      ...ARM.map(([w]) => matchArm(w)),
      ...THUMB16.map(([w]) => matchThumb16(w)),
      ...THUMB32.map(([w]) => matchThumb32(w)),
    ]);
    const all = [...ARM_RULES, ...VFP_RULES, ...THUMB16_RULES, ...THUMB32_RULES];
    const untested = all.filter((r) => !hit.has(r)).map((r) => `${r.isa}: ${r.name}`);
    expect(untested).toEqual(UNTESTED);
  });
});

describe('rule dispatch', () => {
  // The scanner only tries the rules a word's fixed bits allow; it must answer exactly like a
  // plain first-match walk over the tables, for any word.
  function linear(rules: readonly InstructionRule[], w: number): InstructionRule | null {
    for (const r of rules) {
      if ((w & r.mask) >>> 0 !== r.value >>> 0) continue;
      if ((r.except ?? []).some(([m, v]) => (w & m) >>> 0 === v >>> 0)) continue;
      if (r.test === 'doubleRegsBeyondD15') {
        const first = (((w >>> 22) & 1) << 4) | ((w >>> 12) & 0xf);
        if (first + ((w & 0xff) >>> 1) <= 16) continue;
      }
      return r;
    }
    return null;
  }
  let seed = 0x9e3779b9;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  it('agrees with a linear walk on 200 000 random words and every table word', () => {
    const words = [...ARM.map(([w]) => w), ...THUMB32.map(([w]) => w)];
    for (let i = 0; i < 200_000; i++) words.push(random());
    const mismatches = words.filter((w) => {
      const t32 = (w & 0xe0000000) >>> 0 === 0xe0000000 && w >>> 27 >= 0x1d;
      return (
        matchArm(w) !== linear([...ARM_RULES, ...VFP_RULES], w) ||
        matchThumb16(w & 0xffff) !== linear(THUMB16_RULES, w & 0xffff) ||
        (t32 &&
          linear(THUMB32_RULES, w)?.refineAsVfp !== true &&
          matchThumb32(w) !== linear(THUMB32_RULES, w))
      );
    });
    expect(mismatches.map(hex)).toEqual([]);
  });
});

let corpus: Corpus;
beforeAll(() => {
  corpus = elfCorpus();
}, 120_000);

const V6 = 'arm-unknown-linux-gnueabihf';
const scan = (name: CorpusName) => scanArmv6(readFileSync(corpus[name]));
type Scanned = Extract<Armv6Scan, { status: 'scanned' }>;
function scanned(name: CorpusName): Scanned {
  const s = scan(name);
  if (s.status !== 'scanned') throw new Error(`${name}: ${s.status}`);
  return s;
}
const byFunc = (s: Scanned) => Object.fromEntries(s.offences.map((o) => [o.func, o]));
function check(name: CorpusName, unstripped?: CorpusName): Verdict {
  const v = verifyBytes(readFileSync(corpus[name]), {
    spec: targetSpec(V6),
    glibcFloor: '2.36',
    piOs: 'bookworm',
    unstripped: unstripped ? readFileSync(corpus[unstripped]) : null,
  });
  if (!v.facts) throw new Error(`${name}: ${v.findings[0]?.message}`);
  return v as Verdict;
}
const codes = (v: Verdict) => v.findings.map((f) => `${f.code}:${f.severity}`).sort();

describe('scanArmv6 on real binaries', () => {
  it('names each function an ARMv6 build linked with ARMv7 pieces cannot run', () => {
    // v6 code of its own, Debian's Thumb-2 start files, an ARMv7 + NEON object: no movw, no dmb.
    const s = scanned('armv6-linked-armv7');
    const f = byFunc(s);
    expect(Object.keys(f)).toEqual(
      expect.arrayContaining(['_start', 'frame_dummy', 'scale', 'add4']),
    );
    expect(f._start).toMatchObject({ state: 'thumb', needs: 'Thumb-2' });
    expect(f.scale?.mnemonics).toContain('vmov immediate');
    expect(f.scale?.state).toBe('arm');
    expect(f.add4?.mnemonics).toEqual(expect.arrayContaining(['NEON data processing']));
    expect(f.main).toBeUndefined();
    expect(f.v6_poly).toBeUndefined();
    expect(s.offences.flatMap((o) => o.mnemonics)).not.toContain('movw');
    expect(s.offences.flatMap((o) => o.mnemonics)).not.toContain('dmb');
    expect(s.stats.thumbInstructions).toBeGreaterThan(0);
    expect(s.stats.unmappedBytes).toBe(0);
  });

  it('finds the same instructions whether the attributes are right, removed or lie', () => {
    const base = scanned('armv6-linked-armv7');
    for (const name of ['armv6-attributes-removed', 'armv6-attributes-lie'] as const) {
      expect(scanned(name).offences).toEqual(base.offences);
    }
  });

  it('passes a clean ARMv6 build: ARM code, Thumb-1 BL/BLX pairs and a dmb-shaped data word', () => {
    const s = scanned('armv6-good-dynamic');
    expect(s.offences).toEqual([]);
    expect(s.total).toBe(0);
    expect(s.stats.thumbInstructions).toBeGreaterThanOrEqual(5);
    expect(scanned('armv6-freestanding').offences).toEqual([]);
  });

  it('sets run-time-selected newer-CPU variants apart, by name, untyped symbols included', () => {
    const s = scanned('armv6-runtime-selected');
    expect(s.exempt.map((o) => [o.func, o.exemptBy?.library])).toEqual([
      ['__a_barrier_v7', 'musl'],
      ['__a_cas_v7', 'musl'],
    ]);
    // The same instruction in an ordinary function is still reported.
    expect(s.offences.map((o) => [o.func, o.mnemonics])).toEqual([['v7_barrier', ['dmb']]]);
    expect(s.total).toBe(1);
  });

  it('says why it cannot scan a stripped or non-ARM file', () => {
    expect(scan('armv6-stripped')).toEqual({ status: 'no-symbols' });
    expect(scan('aarch64-good')).toEqual({ status: 'not-arm32' });
  });
});

describe('scanArmv6 on damaged files', () => {
  it('answers or throws ElfError, never anything else, for 400 corrupted copies', () => {
    const good = readFileSync(corpus['armv6-linked-armv7']);
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const others: string[] = [];
    let elfErrors = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = new Uint8Array(good);
      // Damage the tail, where .symtab, .strtab and the section headers live.
      for (let k = 0; k < 8; k++) {
        const at = bytes.length - 1 - random(Math.floor(bytes.length / 3));
        bytes[at] = random(256);
      }
      try {
        scanArmv6(bytes);
      } catch (e) {
        if (e instanceof Error && e.name === 'ElfError') elfErrors++;
        else others.push(String(e));
      }
    }
    expect(others).toEqual([]);
    expect(elfErrors).toBeGreaterThan(0);
  });
});

describe('verifyBytes: the instruction scan as a finding', () => {
  it('reports armv7-instructions by function and the fix, with the attributes right', () => {
    const v = check('armv6-linked-armv7');
    expect(codes(v)).toEqual(['armv7-instructions:error', 'cpu-too-new:error']);
    const m = v.findings.find((f) => f.code === 'armv7-instructions')?.message ?? '';
    expect(m).toMatch(/^The code itself contains \d+ instructions the ARM1176JZF-S of the /);
    expect(m).toContain('_start at 0x');
    expect(m).toContain('(Thumb: ');
    expect(m).toMatch(/and \d+ more functions/);
    expect(m).toContain('whatever .ARM.attributes says');
    expect(m).toContain('Fix: link with an ARMv6 hard-float toolchain');
    expect(m).toContain('CFLAGS_arm_unknown_linux_gnueabihf=');
  });

  it('catches the binary by instruction alone when its attributes are gone or claim ARMv6', () => {
    expect(codes(check('armv6-attributes-removed'))).toEqual(['armv7-instructions:error']);
    expect(codes(check('armv6-attributes-lie'))).toEqual(['armv7-instructions:error']);
  });

  it("scans cargo's unstripped file when the verified copy is stripped", () => {
    expect(codes(check('armv6-stripped', 'armv6-linked-armv7'))).toEqual([
      'armv7-instructions:error',
      'cpu-too-new:error',
    ]);
  });

  it('warns that the scan could not run when even cargo’s file has no symbols', () => {
    const v = check('armv6-stripped');
    expect(codes(v)).toEqual(['cpu-too-new:error', 'instruction-scan-skipped:warning']);
    const m = v.findings.find((f) => f.code === 'instruction-scan-skipped')?.message ?? '';
    expect(m).toContain('no symbol table (.symtab)');
    expect(m).toContain('strip = true');
  });

  it("judges a stripped copy by the symbols of cargo's file: a missing _start is then proof", () => {
    const judge = (unstripped: Uint8Array | null) =>
      verifyBytes(readFileSync(corpus['armhf-bare-ld-stripped']), {
        spec: targetSpec('armv7-unknown-linux-gnueabihf'),
        glibcFloor: null,
        piOs: null,
        unstripped,
      }).findings.map((f) => `${f.code}:${f.severity}`);
    expect(judge(null)).toEqual(['no-start-files:warning']);
    expect(judge(readFileSync(corpus['armhf-bare-ld']))).toEqual(['no-start-files:error']);
  });

  it('has nothing to say about a clean ARMv6 binary, and does not scan other CPU levels', () => {
    expect(check('armv6-good-dynamic').findings).toEqual([]);
    const v7 = verifyBytes(readFileSync(corpus['armv6-linked-armv7']), {
      spec: targetSpec('armv7-unknown-linux-gnueabihf'),
      glibcFloor: null,
      piOs: null,
    });
    expect(v7.findings).toEqual([]);
  });

  it('keeps control characters in symbol names out of the message', () => {
    const bytes = new Uint8Array(readFileSync(corpus['armv6-linked-armv7']));
    const name = new TextEncoder().encode('_start\0');
    const at = Buffer.from(bytes).indexOf(Buffer.from(name));
    bytes[at + 2] = 0x0a; // '_s\ntart'
    const v = verifyBytes(bytes, { spec: targetSpec(V6), glibcFloor: null, piOs: null });
    const m = v.findings.find((f) => f.code === 'armv7-instructions')?.message ?? '';
    expect(m).toContain('_s?art at 0x');
    expect(m).not.toContain('\n');
  });
});

describe('the hand-assembled words are what GNU as encodes', () => {
  function assemble(mode: 'arm' | 'thumb', lines: string[]): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'rpi-armv6-asm-'));
    try {
      const src = [
        '.syntax unified', '.arch armv8.3-a', '.arch_extension crc', '.arch_extension fp16',
        '.fpu crypto-neon-fp-armv8',
        `.${mode}`, 'x:', ...lines, '',
      ].join('\n'); // prettier-ignore
      writeFileSync(join(dir, 'a.s'), src);
      execFileSync('arm-linux-gnueabihf-as', ['a.s', '-o', 'a.o'], { cwd: dir, stdio: 'pipe' });
      const dump = execFileSync('arm-linux-gnueabihf-objdump', ['-d', 'a.o'], { cwd: dir });
      return [...dump.toString().matchAll(/^\s+[0-9a-f]+:\s+([0-9a-f]{8}|[0-9a-f]{4}(?: [0-9a-f]{4})?)\s/gm)]
        .map((m) => (m[1] as string).replace(' ', '')); // prettier-ignore
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // Forms gas spells differently, or words made by hand (far BL, exact cbz offsets).
  const asmText = (t: string) =>
    t
      .replace(/ \(.*$/, '')
      .replace('mcr p15', 'mcr 15')
      .replace('mrc p15', 'mrc 15');
  const assembled = (table: [number, string, string | null][]) =>
    table.filter(([, t]) => !/\.[+]|^bl |^blx |^bl \(|^cbn?z |^it /.test(t) && t !== 'bl .');

  it('ARM', () => {
    const rows = assembled(ARM);
    expect(
      assemble(
        'arm',
        rows.map(([, t]) => asmText(t)),
      ),
    ).toEqual(rows.map(([w]) => hex(w)));
  });
  it('Thumb', () => {
    const rows = assembled([...THUMB16, ...THUMB32]).filter(([, t]) => !t.startsWith('mov r8'));
    const words = rows.map(([w]) => (w > 0xffff ? hex(w) : w.toString(16).padStart(4, '0')));
    expect(
      assemble(
        'thumb',
        rows.map(([, t]) => asmText(t)),
      ),
    ).toEqual(words);
  });
});
