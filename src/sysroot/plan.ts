/**
 * The pure half of the sysroot stage: which packages a target gets, the cache key, the compiler
 * wrappers' text and which package provides a shared library. No I/O.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { SysrootInputs } from '../inputs.js';
import { shQuote } from '../zig/wrappers.js';
import type { ZigSysroot } from '../zig/command.js';
import { tooNewAttributes } from '../elf/cpu.js';
import type { ArmAttributes } from '../elf/types.js';
import type { CpuLevel } from '../targets/table.js';

/** Bumped when the unpacked layout changes (symlink rules, files kept): old entries are not reused. */
export const OVERLAY_FORMAT = 1;

/** The packages asked for `triple`: those for every target, then its own. */
export function packagesFor(inputs: SysrootInputs, triple: string): string[] {
  return [...new Set([...inputs.all, ...(inputs.byTriple[triple] ?? [])])];
}

/**
 * The tool-cache and Actions-cache key: target, the archives' suites and the sorted
 * `Filename SHA256` lines of the resolved packages. Resolution always runs first, so a point
 * release (a new .deb) is a new key, and nothing else is.
 */
export function sysrootCacheKey(
  triple: string,
  suites: readonly string[],
  cacheLines: readonly string[],
): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([OVERLAY_FORMAT, triple, [...suites].sort(), [...cacheLines].sort()]))
    .digest('hex')
    .slice(0, 32);
  return `rust-rpi-cross-sysroot-${triple}-${digest}`;
}

/** `#!/bin/sh` + exec of the real compiler with its fixed arguments; every word single-quoted. */
export function compilerWrapper(compiler: string, fixed: readonly string[]): string {
  return `#!/bin/sh\nexec ${[compiler, ...fixed].map(shQuote).join(' ')} "$@"\n`;
}

/**
 * gcc: `--sysroot=<merged>` makes the multiarch include dir (`usr/include/<triplet>`, where
 * opensslconf.h is) and ld's sysroot-relative search (the transitive `.so` lookup that
 * -rpath-link is usually added for) work, and drops the host's /usr/include from the search.
 * The toolchain's own glibc is found through its tooldir, and is in the merged dir as well.
 */
export function gccSysrootArgs(merged: string): string[] {
  return [`--sysroot=${merged}`];
}

/** zig: the packages' headers and libraries beside zig's own libc (see ZigSysroot). */
export function zigSysroot(merged: string, gccTriple: string): ZigSysroot {
  return {
    include: [`${merged}/usr/include/${gccTriple}`, `${merged}/usr/include`],
    lib: [`${merged}/usr/lib/${gccTriple}`, `${merged}/lib/${gccTriple}`],
  };
}

export interface PackageFiles {
  name: string;
  version: string;
  /** Shared-library file names (`libssl.so.3`) the package ships. */
  libraries: string[];
}

const SHARED_LIB = /^lib[^/]*\.so(\.[0-9]+)*$/;

/** The shared-library names among a package's unpacked paths. */
export function sharedLibraries(paths: readonly string[]): string[] {
  return [...new Set(paths.map((p) => path.posix.basename(p)).filter((b) => SHARED_LIB.test(b)))];
}

/**
 * For each NEEDED soname, the resolved package that ships it; sonames none ships (glibc, the
 * toolchain's) are left out. The runtime package (`libssl3`) wins over its `-dev` (which ships
 * only the unversioned link).
 */
export function providers(
  needed: readonly string[],
  packages: readonly PackageFiles[],
): { soname: string; package: string; version: string }[] {
  const out: { soname: string; package: string; version: string }[] = [];
  for (const soname of needed) {
    const p = packages.find((x) => x.libraries.includes(soname));
    if (p) out.push({ soname, package: p.name, version: p.version });
  }
  return out;
}

/** A runtime file's build attributes: missing, none (or not an ARM ELF), or what they say. */
export interface RuntimeFile {
  name: string;
  attributes: ArmAttributes | null | 'missing';
}

export interface RuntimeVerdict {
  /** null: the board's CPU; otherwise the CPU the runtime needs. */
  cpu: string | null;
  note: string;
}

/**
 * Whether the board's CPU can run a runtime's loader and libc: only when their attributes say
 * they fit its level (Raspbian's are ARMv6). A Debian armhf libc behind a mirror's `raspbian/`
 * is ARMv7 code whose loader dies under arm1176 before the program: then the smoke run takes
 * the oldest CPU that runs it, and says so.
 */
export function runtimeVerdict(
  files: readonly RuntimeFile[],
  o: {
    level: CpuLevel;
    boardCpu: string;
    fallbackCpu: string;
    /** The runtime, e.g. 'libc6=2.36-9+rpt2 from the Raspbian archive bookworm'. */
    what: string;
    root: string;
    mirrored: boolean;
  },
): RuntimeVerdict {
  const problems: string[] = [];
  for (const f of files) {
    const name = path.posix.basename(f.name);
    if (f.attributes === 'missing') problems.push(`no ${f.name}`);
    else if (f.attributes === null) problems.push(`${name} has no ARM build attributes`);
    else {
      const tooNew = tooNewAttributes(f.attributes, o.level);
      if (tooNew.length > 0) problems.push(`${name} has ${tooNew.join(', ')}`);
    }
  }
  if (problems.length === 0) {
    return {
      cpu: null,
      note: `smoke runs use qemu -cpu ${o.boardCpu} -L ${o.root}: the Pi OS's own ${o.what}`,
    };
  }
  const hint = o.mirrored
    ? "; the 'sysroot-mirror' must serve the Raspbian archive under raspbian/ (ARMv6), not Debian's armhf (ARMv7)"
    : '';
  return {
    cpu: o.fallbackCpu,
    note: `smoke runs use qemu -cpu ${o.fallbackCpu}, not ${o.boardCpu}: the runtime ${o.what} is not ARM${o.level} code (${problems.join('; ')}), and its loader would die under ${o.boardCpu} before the program starts${hint}; the ARM${o.level} proof is the static check of the binary`,
  };
}
