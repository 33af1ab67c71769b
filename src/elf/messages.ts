/**
 * Finding texts. Each says what is wrong with the binary, what the user will see on the Pi, the
 * likely cause, and the fix — the reader is someone whose build "worked" but whose Pi disagrees.
 */
import { BOARDS, PI_OS, TARGETS, tripleCargoKey, type TargetSpec } from '../targets/table.js';
import type { Offence } from './armv6-scan.js';
import { LEVEL_CPU } from './cpu.js';
import { machineName } from './names.js';
import type { ParsedElf } from './types.js';

const hex = (n: number) => `0x${n.toString(16)}`;

/** ['a', 'b', 'c'] → 'a, b and c'. */
function listing(items: readonly string[]): string {
  return items.length < 2
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The gnu triple boards list (musl targets serve the same boards as their gnu twin). */
function boardsOf(spec: TargetSpec): string[] {
  const gnu = spec.libc === 'gnu' ? spec.triple : spec.twin;
  return BOARDS.filter((b) => b.triple === gnu).map((b) => b.label);
}

function gccDriver(spec: TargetSpec): string {
  return `${spec.gccTriple}-gcc`;
}

function linkerEnv(spec: TargetSpec): string {
  return `CARGO_TARGET_${tripleCargoKey(spec.triple)}_LINKER=${gccDriver(spec)}`;
}

const SUGGESTED_TOOLCHAIN: Readonly<Record<TargetSpec['cpu'], string>> = {
  v6: 'an ARMv6 hard-float toolchain (e.g. Bootlin armv6-eabihf)',
  v7:
    'an ARMv7 hard-float toolchain (e.g. Debian/Ubuntu gcc-arm-linux-gnueabihf or ' +
    'Bootlin armv7-eabihf)',
  v8: 'an AArch64 toolchain (e.g. Debian/Ubuntu gcc-aarch64-linux-gnu or Bootlin aarch64)',
};

const TOO_NEW_CAUSE: Readonly<Record<TargetSpec['cpu'], string>> = {
  v6:
    "Rust's own code for this target is ARMv6, so this came in at link time: the toolchain's " +
    'crt files, libgcc or libc (or C code it compiled) were built for ARMv7 — e.g. the ' +
    'Debian/Ubuntu armhf cross compiler or the Arm GNU Toolchain',
  v7:
    'the toolchain (crt files, libgcc, libc or C code it compiled) or RUSTFLAGS (-C target-cpu) ' +
    'targets a newer core than the Pi 2',
  v8: 'RUSTFLAGS (-C target-cpu / target-feature) or the C toolchain targets a newer core',
};

export function wrongMachine(elf: ParsedElf, spec: TargetSpec): string {
  const got = `${machineName(elf.machine)}, ${elf.bits}-bit ${elf.endian}-endian`;
  const want = `${machineName(spec.elf.machine)}, ${spec.elf.bits}-bit little-endian`;
  const host = elf.machine === 62 || elf.machine === 3;
  const cause = host
    ? `it was built for the build machine: cargo ran without --target ${spec.triple}, or the ` +
      `file came from target/release instead of target/${spec.triple}/release`
    : `the linker or the target belongs to a different architecture (the linker for ` +
      `${spec.triple} should be ${gccDriver(spec)})`;
  return (
    `The binary is ${got} code, but ${spec.triple} needs ${want}; the Pi will refuse it with ` +
    `"Exec format error". Likely cause: ${cause}. Fix: build with cargo build --target ` +
    `${spec.triple}, set ${linkerEnv(spec)}, and ship target/${spec.triple}/release/<name>.`
  );
}

const NON_PROGRAM_KINDS: Readonly<Record<number, string>> = {
  0: 'an ELF file of no type (ET_NONE)',
  1: 'a relocatable object (.o)',
  4: 'a core dump',
};

export function notExecutable(elf: ParsedElf): string {
  if (elf.isSharedLibrary) {
    return (
      'The file is a shared library (ET_DYN without a program loader or PIE flag), not a ' +
      'program: it cannot be started on the Pi. If you meant to ship a cdylib this is fine; ' +
      'otherwise ship the executable from target/<triple>/release/ instead.'
    );
  }
  const kind = NON_PROGRAM_KINDS[elf.type] ?? `ELF type ${elf.type}`;
  return (
    `The file is ${kind}, not a linked program; the Pi cannot run it ("Exec format error"). ` +
    'Likely cause: the wrong file was picked up (an intermediate build product). Fix: ship ' +
    'the executable cargo links into target/<triple>/release/.'
  );
}

export function softFloat(spec: TargetSpec, evidence: string): string {
  return (
    `The binary uses the soft-float ABI (${evidence}), but ${spec.triple} is hard-float: ` +
    'Raspberry Pi OS passes floats in VFP registers and only ships the hard-float loader ' +
    '/lib/ld-linux-armhf.so.3, so the program fails to start ("No such file or directory") ' +
    'or computes with garbage float arguments. Likely cause: an arm-linux-gnueabi (armel, ' +
    'soft-float) toolchain was used as the linker. Fix: use an arm-linux-gnueabihf (hard-float) ' +
    `toolchain — ${SUGGESTED_TOOLCHAIN[spec.cpu]}.`
  );
}

export function cpuTooNew(spec: TargetSpec, what: string[]): string {
  const boards = boardsOf(spec);
  return (
    `The binary contains ${listing(what)}, but ${spec.triple} targets ARM${spec.cpu} ` +
    `(${boards.join(', ')}: ${LEVEL_CPU[spec.cpu]}). It will die with "Illegal instruction" ` +
    `on a ${boards.join(' / ')}. Likely cause: ${TOO_NEW_CAUSE[spec.cpu]}. Fix: link with ` +
    `${SUGGESTED_TOOLCHAIN[spec.cpu]}.`
  );
}

export function wrongProfile(spec: TargetSpec, elf: ParsedElf): string {
  const a = elf.armAttributes;
  return (
    `The binary was built for an M-profile microcontroller (Tag_CPU_arch ${a?.cpuArchName}), ` +
    `not for the application processors of ${spec.triple}; it cannot run under Linux on a Pi. ` +
    `Fix: build with --target ${spec.triple} and link with ${gccDriver(spec)}.`
  );
}

/** GNU ld's built-in PT_INTERP when nobody passes --dynamic-linker (the gcc driver does). */
const LD_DEFAULT_LOADER = /^\/usr\/lib\/(ld|libc)\.so\.1$/;

/** Why a loader path is wrong, keyed by what produces it. */
function interpreterCause(interp: string): string {
  if (LD_DEFAULT_LOADER.test(interp)) {
    return (
      `${interp} is GNU ld's built-in default, so the binary was linked with bare ld instead ` +
      'of the gcc driver'
    );
  }
  if (interp === '/lib/ld-linux.so.3') {
    return (
      'that is the soft-float (armel) loader, so a soft-float arm-linux-gnueabi toolchain ' +
      'linked it'
    );
  }
  if (interp.includes('musl')) return 'that is a musl loader: a musl toolchain linked a gnu target';
  return (
    'the toolchain or linker flags (-Wl,--dynamic-linker, a relocated sysroot) set a ' +
    'non-standard loader'
  );
}

export function wrongInterpreter(spec: TargetSpec, interp: string): string {
  const expected = spec.interpreter ?? '(none)';
  const fix = LD_DEFAULT_LOADER.test(interp)
    ? `set the linker to the gcc driver, not ld (${linkerEnv(spec)})`
    : `link with a toolchain whose loader is ${expected}: ${SUGGESTED_TOOLCHAIN[spec.cpu]}`;
  return (
    `The binary asks for the program loader ${interp}, but on Raspberry Pi OS the loader for ` +
    `${spec.triple} is ${expected}; running it fails with the misleading "No such file or ` +
    `directory" (or "required file not found"). Likely cause: ${interpreterCause(interp)}. ` +
    `Fix: ${fix}.`
  );
}

export function muslNotStatic(spec: TargetSpec, elf: ParsedElf): string {
  const libs = elf.dynamic?.needed.join(', ') || 'none';
  const twin = TARGETS.find((t) => t.triple === spec.twin);
  const glibcDriver = twin ? gccDriver(twin) : 'a *-linux-gnu*-gcc';
  return (
    `${spec.triple} binaries must be fully static (Raspberry Pi OS ships no musl loader), but ` +
    `this one is dynamically linked (loader ${elf.interpreter ?? 'none'}, libraries: ${libs}). ` +
    `Likely cause: a glibc toolchain (e.g. ${glibcDriver}) was the linker for a musl ` +
    'target, or RUSTFLAGS has -C target-feature=-crt-static. Fix: link with a musl cross ' +
    `toolchain (${gccDriver(spec)}, e.g. from musl.cc or Bootlin) and keep crt-static on, or ` +
    `build the glibc target ${spec.twin} instead.`
  );
}

/** A required symbol version above the floor, e.g. { name: 'GLIBC_2.34', file: 'libc.so.6' }. */
export interface OffendingVersion {
  readonly name: string;
  readonly file: string;
}

export function glibcTooNew(
  offending: readonly OffendingVersion[],
  needed: string,
  floor: { glibc: string; os: string | null },
  runsOn: readonly string[],
): string {
  const floorText = floor.os ? `${floor.glibc} (Raspberry Pi OS ${floor.os})` : floor.glibc;
  const newest = PI_OS[PI_OS.length - 1]?.name;
  const would = runsOn.length
    ? `It would run on Raspberry Pi OS ${runsOn.join(', ')}.`
    : `No Raspberry Pi OS release ships glibc ${needed} yet (newest: ${newest}).`;
  const upgrade = runsOn[0] ? `, or set pi-os: ${runsOn[0]} if that is what your Pis run` : '';
  const list = offending.map((v) => `${v.name} (${v.file})`).join(', ');
  return (
    `The binary needs glibc ${needed} (symbol versions ${list}), newer than the glibc floor ` +
    `${floorText}; there it fails at startup with "version \`${offending[0]?.name}' not ` +
    `found". ${would} Likely cause: the toolchain's sysroot has a newer glibc than the Pi OS ` +
    `you target (Debian 12 / Ubuntu 22.04+ cross compilers ship 2.36 / 2.35+). Fix: link ` +
    `against a toolchain whose sysroot glibc is ≤ ${floor.glibc}${upgrade}.`
  );
}

export function noStartFiles(spec: TargetSpec, evidence: string): string {
  return (
    `The binary has no C runtime start code (${evidence}). That is what linking with bare ld ` +
    `(e.g. linker = "${spec.gccTriple}-ld") produces: crt1.o/crti.o/crtn.o and libc's ` +
    'start-up are missing, so on the Pi it does nothing, exits with a random status or crashes ' +
    `with "Segmentation fault". Fix: set the linker to the gcc driver, not ld (${linkerEnv(spec)}).`
  );
}

export function entryOutsideCode(elf: ParsedElf): string {
  return (
    `The entry point ${hex(elf.entry)} is not inside any executable segment, so the kernel ` +
    'starts the program in non-code and it dies at once with "Segmentation fault" or ' +
    '"Illegal instruction". Likely cause: a custom entry (-Wl,-e / -C link-arg=--entry) or ' +
    'linker script. Fix: remove the custom entry and let the gcc driver link its default ' +
    'start files.'
  );
}

/** Symbol names come from the binary: printable ASCII only, and short enough to read. */
function symbolText(name: string | null): string {
  if (name === null) return 'code before any symbol';
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 72 ? `${clean.slice(0, 71)}…` : clean;
}

/** 'Thumb-2: ldr.w, cbz/cbnz' — what a function holds, by the state its code runs in. */
function offenceText(o: Offence): string {
  const names = o.mnemonics.slice(0, 3).join(', ') + (o.mnemonics.length > 3 ? ', …' : '');
  return `${symbolText(o.func)} at ${hex(o.address)} (${o.state === 'thumb' ? 'Thumb' : 'ARM'}: ${names})`;
}

const SHOWN_OFFENCES = 4;

export function armv7Instructions(spec: TargetSpec, offences: readonly Offence[], total: number) {
  const boards = boardsOf(spec);
  const shown = offences.slice(0, SHOWN_OFFENCES).map(offenceText);
  const more = offences.length - shown.length;
  if (more > 0) shown.push(`${more} more function${more === 1 ? '' : 's'}`);
  const needs = [...new Set(offences.map((o) => o.needs))].join(', ');
  return (
    `The code itself contains ${total} instruction${total === 1 ? '' : 's'} the ` +
    `${LEVEL_CPU[spec.cpu]} of the ${boards.join(' / ')} cannot execute (${needs}), in ` +
    `${listing(shown)}. This is read from the instructions, whatever .ARM.attributes says; the ` +
    `program dies with "Illegal instruction" when one of them runs. Likely cause: ` +
    `${TOO_NEW_CAUSE[spec.cpu]}. Fix: link with ${SUGGESTED_TOOLCHAIN[spec.cpu]}, and compile C ` +
    `code for the ARM1176 (CFLAGS_${spec.triple.replace(/-/g, '_')}="-march=armv6kz -marm ` +
    '-mfpu=vfp").'
  );
}

const SCAN_SKIPPED: Readonly<Record<'no-symbols' | 'no-mapping-symbols', string>> = {
  'no-symbols':
    'the binary cargo built has no symbol table (.symtab), which the scan needs to tell ARM ' +
    'code, Thumb code and data apart. Likely cause: cargo stripped it at link time: strip = ' +
    'true or "symbols" in the profile, or CARGO_PROFILE_<NAME>_STRIP (which the action sets ' +
    'itself when the toolchain has no strip tool). Fix: remove strip from the profile ' +
    '(strip = "debuginfo" keeps the symbols) and let the action strip the shipped copy (input ' +
    'strip: true)',
  'no-mapping-symbols':
    'the symbol table has no ARM mapping symbols ($a/$t/$d), so ARM code, Thumb code and data ' +
    'cannot be told apart. Likely cause: a post-processing tool removed local symbols (strip ' +
    '--discard-all / -x). Fix: ship the binary as the linker wrote it and let the action strip it',
};

export function instructionScanSkipped(
  spec: TargetSpec,
  reason: keyof typeof SCAN_SKIPPED | { malformed: string },
): string {
  const why =
    typeof reason === 'string'
      ? SCAN_SKIPPED[reason]
      : `the binary cargo built could not be read (${reason.malformed})`;
  return (
    `The instruction-level ARMv6 check did not run for ${spec.triple}: ${why}. Without it, ` +
    "only the ELF attributes vouch for the ARM1176, and some linkers (zig's) record one " +
    "object's attributes rather than all of them."
  );
}
