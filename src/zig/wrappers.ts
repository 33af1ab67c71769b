/**
 * Writes the per-target CC/CXX/AR/RANLIB/linker wrappers for zig. cargo and cc-rs want a
 * program path, not `zig cc -target …`; each wrapper is a two-line `#!/bin/sh` script whose
 * only words are paths the action generated, single-quoted, and `"$@"`. Everything else is
 * in a JSON config read by node, so no input text is ever parsed by a shell.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { euid, facts, notPrivate, spaceFreeParent } from '../tempdir.js';
import type { WrapperConfig } from './command.js';

export interface ZigWrappers {
  dir: string;
  cc: string;
  cxx: string;
  ar: string;
  ranlib: string;
}

/** POSIX sh single-quoting: safe for any byte string without NUL. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function wrapperScript(node: string, entry: string, config: string): string {
  return `#!/bin/sh\nexec ${[node, entry, config].map(shQuote).join(' ')} "$@"\n`;
}

const TOOLS = [
  ['cc', 'cc'],
  ['cxx', 'c++'],
  ['ar', 'ar'],
  ['ranlib', 'ranlib'],
] as const;

/**
 * Where the wrappers go. cargo fingerprints every unit of a target (std under -Zbuild-std
 * included) by its linker's path, and cc-rs build scripts rerun when CC_<target> changes: a
 * fresh random directory per run rebuilt the whole graph on every run, warm target/ or not.
 * So they live at one path per runner, in the tool cache (like the zig they call), when that
 * path is usable: space-free (cc-rs and cmake split CC at spaces) and, if it already exists,
 * still a real directory of ours that nobody else can write. Otherwise `fallback()` (a fresh
 * private directory) costs the rebuilds, never the safety.
 */
export function wrapperRoot(toolCacheDir: string, fallback: () => string): string {
  if (spaceFreeParent([toolCacheDir]) === null) return fallback();
  const dir = path.join(toolCacheDir, 'rpi-cross-zig-wrappers');
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return fallback();
  }
  return notPrivate(facts(dir), euid()) === null ? dir : fallback();
}

/** Replaces `file` in one step: a concurrent job sharing the tool cache never runs half a file. */
function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, text, { mode, flag: 'wx' });
  fs.renameSync(tmp, file);
}

/**
 * One wrapper set per target. The directory name carries a hash of zig, target, floor and CPU:
 * cargo relinks when the linker path changes, so a new floor never reuses an old link.
 */
export function writeWrappers(
  root: string,
  triple: string,
  base: Omit<WrapperConfig, 'tool'>,
  runtime: { node: string; entry: string },
): ZigWrappers {
  const tag = createHash('sha256')
    .update(
      JSON.stringify([
        base.zig,
        base.target,
        base.cpu,
        base.rules,
        ...(base.sysroot ? [base.sysroot] : []),
      ]),
    )
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(root, `${triple}-${tag}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Reused from an earlier run: it must still be ours alone before anything in it is trusted.
  const why = notPrivate(facts(dir), euid());
  if (why) throw new Error(`refusing to write the zig wrappers into ${dir}: ${why}`);
  const paths: Record<string, string> = {};
  for (const [key, tool] of TOOLS) {
    const config = path.join(dir, `${tool}.json`);
    writeAtomically(config, JSON.stringify({ ...base, tool } satisfies WrapperConfig), 0o600);
    const script = path.join(dir, tool);
    writeAtomically(script, wrapperScript(runtime.node, runtime.entry, config), 0o700);
    paths[key] = script;
  }
  return { dir, ...(paths as Omit<ZigWrappers, 'dir'>) };
}
