/**
 * What an unpacked toolchain must look like before it is cached as complete: a real directory
 * tree whose tools and sysroots are files of that tree, not links to the host. Otherwise the
 * sha256 pins only the links, and the build runs whatever the host has at their targets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside } from '../paths.js';

/** Tools the action or cargo runs from `bin/`: `<prefix>-<tool>`. */
const RUN_TOOLS = ['gcc', 'g++', 'ar', 'ranlib', 'strip'];

/** Where a sysroot's libraries and headers live; each must be part of the tree. */
export const SYSROOT_PARTS = ['lib', 'lib64', 'usr', 'usr/lib', 'usr/lib64', 'usr/include'];

/** The driver names in a `bin/` listing: `<prefix>-gcc` (not `-gcc-12`, not `-gcc-ar`). */
export function gccDrivers(binEntries: readonly string[]): string[] {
  return binEntries.filter((n) => n.endsWith('-gcc') && n.length > '-gcc'.length);
}

/** The `bin/` entries the action or cargo runs for some prefix of the toolchain. */
export function runTools(binEntries: readonly string[]): string[] {
  const prefixes = gccDrivers(binEntries).map((d) => d.slice(0, -'gcc'.length));
  return binEntries.filter((n) => prefixes.some((p) => RUN_TOOLS.some((t) => n === p + t)));
}

/** The sysroot directories a driver `<prefix>-gcc` may use, relative to the toolchain root. */
export function sysrootCandidates(prefix: string): string[] {
  return [prefix, `${prefix}/libc`, `${prefix}/sysroot`];
}

function linkText(p: string): string {
  try {
    return fs.readlinkSync(p);
  } catch {
    return 'a missing file';
  }
}

type Resolved = { real: string; stat: fs.Stats } | { error: string };

function resolve(p: string): Resolved {
  try {
    const real = fs.realpathSync(p);
    return { real, stat: fs.statSync(real) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { error: `is a symlink to ${linkText(p)}, which does not exist` };
    if (code === 'ELOOP') return { error: 'is a symlink loop' };
    return { error: `cannot be read (${code ?? String(err)})` };
  }
}

/**
 * The first reason `root` is not a self-contained toolchain, or null. Checks what is executed
 * or linked from: `bin/` itself, the gcc drivers (executable files), ar/ranlib/strip/g++ of each
 * driver's prefix, and the usual sysroot directories beside them.
 */
export function toolchainTreeProblem(root: string): string | null {
  const top = fs.lstatSync(root, { throwIfNoEntry: false });
  if (!top) return 'it unpacked to nothing';
  if (top.isSymbolicLink()) return `its top entry is a symbolic link (to ${linkText(root)})`;
  if (!top.isDirectory()) return 'its top entry is not a directory';
  const rootReal = fs.realpathSync(root);
  const outside = (rel: string): string | null => {
    const p = path.join(root, rel);
    if (!fs.lstatSync(p, { throwIfNoEntry: false })) return null;
    const r = resolve(p);
    if ('error' in r) return `${rel} ${r.error}`;
    if (!isInside(rootReal, r.real)) return `${rel} resolves to ${r.real}, outside the toolchain`;
    return null;
  };
  const binProblem = outside('bin');
  if (binProblem) return binProblem;
  const bin = path.join(root, 'bin');
  if (!fs.existsSync(bin)) return 'it has no bin/ directory (where the gcc driver must be)';
  const entries = fs.readdirSync(bin).sort();
  const drivers = gccDrivers(entries);
  if (drivers.length === 0) return 'it has no gcc driver (bin/<prefix>-gcc)';
  for (const name of runTools(entries)) {
    const problem = outside(`bin/${name}`);
    if (problem) return problem;
  }
  for (const d of drivers) {
    const r = resolve(path.join(bin, d)) as { real: string; stat: fs.Stats };
    if (!r.stat.isFile()) return `bin/${d} is not a file`;
    if ((r.stat.mode & 0o111) === 0) return `bin/${d} is not executable`;
    const prefix = d.slice(0, -'-gcc'.length);
    for (const s of sysrootCandidates(prefix)) {
      for (const rel of [s, ...SYSROOT_PARTS.map((p) => `${s}/${p}`)]) {
        const problem = outside(rel);
        if (problem) return problem;
      }
    }
  }
  return strangeEntry(root);
}

/** Entry types a toolchain never needs: devices, fifos, sockets, setuid/setgid files. */
function strangeEntry(root: string): string | null {
  const walk = (rel: string): string | null => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        const inner = walk(child);
        if (inner) return inner;
      } else if (e.isFile()) {
        const mode = fs.lstatSync(path.join(root, child)).mode;
        if (mode & 0o6000) return `${child} is ${mode & 0o4000 ? 'setuid' : 'setgid'}`;
      } else if (!e.isSymbolicLink()) {
        return `${child} is a device, fifo or socket, not a file`;
      }
    }
    return null;
  };
  return walk('');
}
