/**
 * The arguments rustc and cc-rs pass to a C compiler/linker that `zig cc` rejects or
 * mishandles, and what to do with each, as a table. Each rule was checked against zig 0.11.0
 * and 0.14.0-dev (accepted/rejected as the `why` says); the list follows cargo-zigbuild's
 * filter for Linux targets.
 */
import { compareVersions } from '../targets/table.js';

export interface RuleContext {
  readonly arch: 'arm' | 'aarch64';
  readonly libc: 'gnu' | 'musl';
  /** `zig version`, e.g. `0.11.0` or `0.14.0-dev.2456+a68119f8f`. */
  readonly zigVersion: string;
}

export interface ArgRule {
  readonly name: string;
  readonly why: string;
  /** The whole argument must match. */
  readonly match: RegExp;
  readonly arch?: RuleContext['arch'];
  readonly libc?: RuleContext['libc'];
  /** Applies only to zig older than this version. */
  readonly zigBefore?: string;
  /** What replaces the argument (empty: dropped); the match groups are available. */
  readonly to?: (m: RegExpMatchArray) => string[];
  /** The argument's value is the next argument, dropped with it. */
  readonly withNext?: boolean;
}

const drop = (): string[] => [];

export const ARG_RULES: readonly ArgRule[] = [
  {
    name: 'gcc_s',
    why: 'zig has no libgcc_s; its libunwind is the unwinder',
    match: /^-lgcc_s$/,
    to: () => ['-lunwind'],
  },
  {
    name: 'target-eq',
    why: 'cc-rs passes the Rust triple, which zig cannot parse (UnknownOperatingSystem); the wrapper’s -target is authoritative',
    match: /^--target=.*$/,
  },
  {
    name: 'target',
    why: 'a second -target would override the wrapper’s (floor and all)',
    match: /^-target$/,
    withNext: true,
  },
  {
    name: 'entry',
    why: 'zig ≥0.12’s clang driver rejects -e<sym> (Unknown Clang option)',
    match: /^-e(?!xport)(.+)$/,
    to: (m) => [`-Wl,--entry=${m[1]}`],
  },
  {
    name: 'arm-compiler-builtins',
    why: 'Rust’s compiler_builtins clashes with zig’s compiler_rt on arm (duplicate intrinsics)',
    match: /^.*libcompiler_builtins-[^/]*\.rlib$/,
    arch: 'arm',
  },
  {
    name: 'no-undefined-version',
    why: 'zig 0.11’s linker rejects it (unsupported linker arg)',
    match: /^-Wl,--no-undefined-version$/,
  },
  {
    name: 'nostart-stop-gc',
    why: 'unsupported linker extension flag',
    match: /^-Wl,-z,?nostart-stop-gc$/,
  },
  {
    name: 'fix-cortex-a53',
    why: 'rustc ≥1.98 passes it for aarch64; zig’s linker rejects it',
    match: /^-Wl,--fix-cortex-a53-\d+$/,
  },
  {
    name: 'plugin-opt',
    why: 'linker-plugin LTO options: unsupported',
    match: /^-Wl,-plugin-opt.*$/,
  },
  {
    name: 'strip-debug',
    why: 'zig 0.11 takes --strip-debug (cargo’s default release strip = "debuginfo") for --strip-all and drops the symbol table the ARMv6 instruction scan reads; the action strips the staged copy instead',
    match: /^-Wl,(--strip-debug|-S)$/,
  },
  {
    name: 'musl-crt',
    why: 'zig supplies its own crt1/crti/crtn for musl',
    match: /^.*self-contained[/\\].*crt.*\.o$/,
    libc: 'musl',
  },
  {
    name: 'musl-lc',
    why: 'zig links its own musl libc',
    match: /^-lc$/,
    libc: 'musl',
  },
  {
    name: 'wp',
    why: 'zig ≥0.12 supports only -Wp,-MD/-MMD/-MT (unsupported preprocessor arg)',
    match: /^-Wp,(?!-MD|-MMD|-MT).*$/,
  },
  {
    name: 'march-arm',
    why: 'zig parses -march as a CPU name (unknown CPU: armv7); the wrapper’s -mcpu says it',
    match: /^-march=.*$/,
    arch: 'arm',
  },
  {
    name: 'march-aarch64',
    why: 'zig parses -march as a CPU name (unknown CPU: armv8); features go on a generic -mcpu',
    match: /^-march=armv[^+]*(\+.*)?$/,
    arch: 'aarch64',
    to: (m) => {
      const feats = m[1] ?? '';
      const cpu = [`-mcpu=generic${feats}`];
      // The crypto extension is known to the assembler only by its -march spelling.
      return feats.includes('+crypto') ? [...cpu, '-Xassembler', m[0]] : cpu;
    },
  },
  {
    name: 'dynamic-list',
    why: 'zig before 0.16 has no --dynamic-list / -exported_symbols_list',
    match: /^-Wl,(--dynamic-list|-exported_symbols_list)$/,
    zigBefore: '0.16.0',
    withNext: true,
  },
  {
    name: 'dynamic-list-joined',
    why: 'zig before 0.16 has no --dynamic-list / -exported_symbols_list',
    match: /^-Wl,(--dynamic-list|-exported_symbols_list)[,=].*$/,
    zigBefore: '0.16.0',
  },
];

/** `0.14.0-dev.2456+a68119f8f` → `0.14.0` (a dev build comes before its release). */
function releaseOf(version: string): string {
  return version.replace(/[-+].*$/, '');
}

function applies(rule: ArgRule, ctx: RuleContext): boolean {
  if (rule.arch && rule.arch !== ctx.arch) return false;
  if (rule.libc && rule.libc !== ctx.libc) return false;
  if (rule.zigBefore && compareVersions(releaseOf(ctx.zigVersion), rule.zigBefore) >= 0)
    return false;
  return true;
}

/** The first applicable rule matching `arg`, if any. */
export function ruleFor(arg: string, ctx: RuleContext): ArgRule | undefined {
  return ARG_RULES.find((r) => applies(r, ctx) && r.match.test(arg));
}

/** Rewrites one argument list (the command line, or the contents of an @file). */
export function rewriteArgs(args: readonly string[], ctx: RuleContext): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const rule = ruleFor(arg, ctx);
    if (!rule) {
      out.push(arg);
      continue;
    }
    const m = arg.match(rule.match) as RegExpMatchArray;
    out.push(...(rule.to ?? drop)(m));
    if (rule.withNext) i++;
  }
  return out;
}
