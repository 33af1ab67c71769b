import { parseResponseFile, formatResponseFile } from './response-file.js';
import { rewriteArgs, type RuleContext } from './rules.js';

/** What one wrapper runs: written by the action as JSON beside the wrapper script. */
export interface WrapperConfig {
  zig: string;
  tool: 'cc' | 'c++' | 'ar' | 'ranlib';
  /** zig `-target`, floor included: `arm-linux-gnueabihf.2.31`. */
  target: string;
  /** zig `-mcpu`, or null for zig's generic CPU of the arch. */
  cpu: string | null;
  rules: RuleContext;
  /** `sysroot-packages`: their headers and libraries, beside (never instead of) zig's libc. */
  sysroot?: ZigSysroot;
}

/**
 * zig cc brings its own glibc headers and stubs for the floor: a `--sysroot` would send it
 * looking for a libc there. The packages are added as -isystem dirs (searched before zig's libc
 * headers, which they do not contain: libc6-dev is never unpacked) and, for a link, -L dirs.
 */
export interface ZigSysroot {
  include: string[];
  lib: string[];
}

/** Compile-only calls get no -L (clang would warn that it is unused). */
const COMPILE_ONLY = new Set(['-c', '-S', '-E', '-M', '-MM']);

export interface ArgFiles {
  /** Contents of an @file, or null if there is no such file (then `@x` is a plain argument). */
  readFile(path: string): string | null;
  /** Writes rewritten @file contents somewhere private; returns its path. */
  copyOf(contents: string): string;
}

/**
 * zig's argument list for one call. The fixed part comes first: `-g` because zig strips
 * without it (Rust's debug info and symbol table with it), `-fno-sanitize=all` because
 * `zig cc` turns UBSan on for C built at -O0.
 */
export function zigCommand(
  config: WrapperConfig,
  args: readonly string[],
  files: ArgFiles,
): string[] {
  if (config.tool === 'ar' || config.tool === 'ranlib') return [config.tool, ...args];
  const fixed = ['-target', config.target, ...(config.cpu ? [`-mcpu=${config.cpu}`] : [])];
  const out: string[] = [];
  let inline: string[] = [];
  const flush = () => {
    out.push(...rewriteArgs(inline, config.rules));
    inline = [];
  };
  for (const a of args) {
    const text = a.startsWith('@') ? files.readFile(a.slice(1)) : null;
    if (text === null) {
      inline.push(a);
      continue;
    }
    flush();
    const rewritten = rewriteArgs(parseResponseFile(text), config.rules);
    out.push(`@${files.copyOf(formatResponseFile(rewritten))}`);
  }
  flush();
  const sys: string[] = [];
  if (config.sysroot) {
    for (const d of config.sysroot.include) sys.push('-isystem', d);
    if (!args.some((a) => COMPILE_ONLY.has(a)))
      for (const d of config.sysroot.lib) sys.push(`-L${d}`);
  }
  return [config.tool, ...fixed, '-g', '-fno-sanitize=all', ...sys, ...out];
}
