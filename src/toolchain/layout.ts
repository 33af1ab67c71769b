import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors.js';
import { run } from '../exec.js';
import { shorten, shown } from '../show.js';
import { isInside } from '../paths.js';
import type { TargetSpec } from '../targets/table.js';

/** Where a toolchain's tools and target sysroot are, once it is on disk. */
export interface ToolchainPaths {
  root: string;
  /** `<root>/bin/<prefix>` — append `gcc`, `ar`, `strip`… */
  binPrefix: string;
  sysroot: string;
}

/**
 * The gcc driver names in `bin/` that can link `spec`: the architecture must match, and for
 * 32-bit ARM the ABI must be the hard-float one of the target's libc. Versioned names
 * (`…-gcc-12`) and wrappers (`…-gcc-ar`) are skipped; a shorter prefix wins.
 */
export function pickDrivers(binEntries: readonly string[], spec: TargetSpec): string[] {
  const abi =
    spec.arch === 'aarch64'
      ? spec.libc === 'gnu'
        ? 'gnu'
        : 'musl'
      : spec.libc === 'gnu'
        ? 'gnueabihf'
        : 'musleabihf';
  const arch = spec.arch === 'aarch64' ? 'aarch64' : 'arm[a-z0-9]*';
  const re = new RegExp(`^(${arch}-(?:[a-z0-9_]+-)*linux-${abi})-gcc$`);
  return binEntries
    .filter((n) => re.test(n))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/** A sysroot is usable when it holds the target libc's loader (gnu) or libc (musl). */
export function isSysroot(dir: string, spec: TargetSpec): boolean {
  const probes = spec.interpreter
    ? [spec.interpreter, `/usr${spec.interpreter}`]
    : ['/lib/libc.so', '/usr/lib/libc.so', '/usr/lib/libc.a', '/lib/libc.a'];
  return probes.some((p) => fs.existsSync(path.join(dir, p)));
}

/**
 * Finds the driver and sysroot of an unpacked toolchain. `prefix`/`sysroot` (the
 * `toolchain-prefix`/`toolchain-sysroot` inputs or the manifest's layout) win over the guess.
 */
export async function discoverLayout(
  root: string,
  spec: TargetSpec,
  hint: { prefix: string | null; sysroot: string | null },
): Promise<ToolchainPaths> {
  const bin = path.join(root, 'bin');
  const entries = fs.existsSync(bin) ? fs.readdirSync(bin) : [];
  let prefix = hint.prefix;
  if (prefix) {
    prefix = prefix.replace(/-(gcc)?$/, '');
    if (!entries.includes(`${prefix}-gcc`)) {
      throw new Error(
        `toolchain has no bin/${shorten(prefix)}-gcc; 'toolchain-prefix' should be the part before '-gcc' of one of: ${gccNames(entries)}`,
      );
    }
  } else {
    prefix = pickDrivers(entries, spec)[0]?.replace(/-gcc$/, '') ?? null;
    if (!prefix) {
      throw new Error(
        `found no gcc driver for ${spec.triple} (${spec.gccTriple}-style, e.g. ${spec.gccTriple}-gcc) in ${bin}; gcc drivers there: ${gccNames(entries)}. Set 'toolchain-prefix' if the name is unusual, or use a toolchain built for this target`,
      );
    }
  }
  const binPrefix = path.join(bin, `${prefix}-`);
  const sysroot = await findSysroot(root, prefix, `${binPrefix}gcc`, spec, hint.sysroot);
  return { root, binPrefix, sysroot };
}

function gccNames(entries: readonly string[]): string {
  const g = entries.filter((e) => e.endsWith('-gcc'));
  return g.length ? g.join(', ') : '(none)';
}

async function findSysroot(
  root: string,
  prefix: string,
  gcc: string,
  spec: TargetSpec,
  given: string | null,
): Promise<string> {
  const inside = (dir: string): boolean => {
    try {
      return isInside(fs.realpathSync(root), fs.realpathSync(dir));
    } catch {
      return false;
    }
  };
  if (given) {
    const dir = path.resolve(root, given);
    if (fs.existsSync(dir) && !inside(dir)) {
      throw new InputError(
        'toolchain-sysroot',
        `${shown(given)} resolves to ${shown(fs.realpathSync(dir))}, outside the toolchain (${root}); give a directory of the toolchain itself`,
      );
    }
    if (!isSysroot(dir, spec)) {
      throw new Error(
        `'toolchain-sysroot' ${dir} has no ${spec.interpreter ?? 'libc'}; give the directory that holds the target's lib/ and usr/`,
      );
    }
    return dir;
  }
  const printed = await printSysroot(gcc);
  // Debian-style drivers are configured with sysroot '/', which names the host, not the target.
  const candidates = [
    printed,
    path.join(root, prefix, 'libc'),
    path.join(root, prefix, 'sysroot'),
    path.join(root, prefix),
  ].filter((c): c is string => c !== null && c !== '' && c !== '/');
  // A sysroot outside the unpacked tree (a driver configured for a host path) is not what the
  // sha256 pinned.
  const found = candidates.find((c) => isSysroot(c, spec) && inside(c));
  if (!found) {
    throw new Error(
      `could not find the target sysroot of ${gcc} (tried ${candidates.join(', ')}); set 'toolchain-sysroot'`,
    );
  }
  return found;
}

async function printSysroot(gcc: string): Promise<string | null> {
  try {
    const r = await run(gcc, ['-print-sysroot'], { timeoutMs: 30000 });
    return r.code === 0 ? r.stdout.trim() : null;
  } catch {
    // A driver that cannot run here (wrong host arch) is reported when it is used to link.
    return null;
  }
}
