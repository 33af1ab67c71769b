/**
 * Writes the per-target CC/CXX/AR/RANLIB/linker wrappers for zig. cargo and cc-rs want a
 * program path, not `zig cc -target …`; each wrapper is a two-line `#!/bin/sh` script whose
 * only words are paths the action generated, single-quoted, and `"$@"`. Everything else is
 * in a JSON config read by node, so no input text is ever parsed by a shell.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
  const paths: Record<string, string> = {};
  for (const [key, tool] of TOOLS) {
    const config = path.join(dir, `${tool}.json`);
    fs.writeFileSync(config, JSON.stringify({ ...base, tool } satisfies WrapperConfig), {
      mode: 0o600,
    });
    const script = path.join(dir, tool);
    fs.writeFileSync(script, wrapperScript(runtime.node, runtime.entry, config), { mode: 0o700 });
    paths[key] = script;
  }
  return { dir, ...(paths as Omit<ZigWrappers, 'dir'>) };
}
