import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError, InputError, errorMessage } from '../errors.js';
import { run, tail, type Leftover, type RunResult } from '../exec.js';
import type { ActionInputs, InputName } from '../inputs.js';
import type { Log } from '../log.js';
import { commandLine } from '../log-text.js';
import { plusToolchain } from '../rust/std.js';
import { collectBinaries, type BuiltBinary } from './messages.js';
import {
  skippedBins,
  skippedMessage,
  type Metadata,
  type SkippedBin,
} from './required-features.js';

type BuildInputs = Pick<
  ActionInputs,
  | 'rustToolchain'
  | 'manifestPath'
  | 'packages'
  | 'bins'
  | 'features'
  | 'allFeatures'
  | 'noDefaultFeatures'
  | 'profile'
  | 'locked'
  | 'args'
>;

/** The full cargo argument list: one invocation for every target. */
export function cargoArgs(
  sub: 'build' | 'test',
  inputs: BuildInputs,
  triples: readonly string[],
): string[] {
  const a = [...plusToolchain(inputs.rustToolchain), sub];
  for (const t of triples) a.push('--target', t);
  a.push('--profile', inputs.profile === 'dev' && sub === 'test' ? 'test' : inputs.profile);
  if (inputs.manifestPath) a.push('--manifest-path', inputs.manifestPath);
  for (const p of inputs.packages) a.push('--package', p);
  if (sub === 'build') for (const b of inputs.bins) a.push('--bin', b);
  if (inputs.features.length) a.push('--features', inputs.features.join(','));
  if (inputs.allFeatures) a.push('--all-features');
  if (inputs.noDefaultFeatures) a.push('--no-default-features');
  if (inputs.locked) a.push('--locked');
  if (sub === 'build') a.push('--message-format=json-render-diagnostics');
  a.push(...inputs.args);
  return a;
}

export interface CargoContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: Log;
}

export async function cargoBuild(
  inputs: BuildInputs,
  triples: readonly string[],
  ctx: CargoContext,
): Promise<BuiltBinary[]> {
  const args = cargoArgs('build', inputs, triples);
  const lines: string[] = [];
  // Read beside the build, so the required-features check adds no time to a good build.
  const metadata = cargoMetadata(inputs, ctx);
  const r = await runCargo(args, ctx, (line) => lines.push(line));
  if (r.code !== 0) throw cargoFailure('build', r.stderr, inputs);
  const bins = collectBinaries(lines, triples);
  const skipped = binsSkippedForFeatures(await metadata, inputs, bins, ctx);
  if (bins.length === 0) {
    throw new ActionError(
      skipped.length > 0
        ? `cargo built no binaries for ${triples.join(', ')}: ${skippedMessage(skipped)}`
        : `cargo built no binaries for ${triples.join(', ')}; the package needs a [[bin]] target (src/main.rs), or check 'package'/'bin'`,
      'build',
    );
  }
  if (skipped.length > 0) ctx.log.warning(skippedMessage(skipped), 'bin not built');
  return bins;
}

/** `cargo metadata --no-deps`, or null (with the reason in the debug log) when it fails. */
async function cargoMetadata(inputs: BuildInputs, ctx: CargoContext): Promise<Metadata | null> {
  const args = [...plusToolchain(inputs.rustToolchain), 'metadata', '--format-version', '1'];
  args.push('--no-deps');
  if (inputs.manifestPath) args.push('--manifest-path', inputs.manifestPath);
  try {
    const r = await run('cargo', args, { cwd: ctx.cwd, env: ctx.env, maxCapture: 64 << 20 });
    if (r.code !== 0) throw new Error(tail(r.stderr, 3));
    return JSON.parse(r.stdout) as Metadata;
  } catch (err) {
    ctx.log.debug(`cargo metadata for required-features: ${errorMessage(err)}`);
    return null;
  }
}

/** Bins cargo left out for their required-features (none when metadata could not be read). */
function binsSkippedForFeatures(
  meta: Metadata | null,
  inputs: BuildInputs,
  built: readonly BuiltBinary[],
  ctx: CargoContext,
): SkippedBin[] {
  if (!meta) return [];
  try {
    return skippedBins(
      meta,
      {
        packages: inputs.packages,
        bins: inputs.bins,
        workspace: inputs.args.some((a) => a === '--workspace' || a === '--all'),
        manifest: inputs.manifestPath ?? nearestManifest(ctx.cwd),
      },
      built,
    );
  } catch (err) {
    // A metadata shape we do not know only costs the hint, never the build.
    ctx.log.debug(`cargo metadata for required-features: ${errorMessage(err)}`);
    return [];
  }
}

/** The Cargo.toml cargo finds from `dir`: there or in the nearest directory above. */
function nearestManifest(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const m = path.join(d, 'Cargo.toml');
    if (fs.existsSync(m)) return m;
    if (path.dirname(d) === d) return null;
  }
}

export async function cargoTest(
  inputs: BuildInputs,
  triples: readonly string[],
  ctx: CargoContext,
): Promise<void> {
  const r = await runCargo(cargoArgs('test', inputs, triples), ctx, (line) => ctx.log.info(line));
  if (r.code !== 0) throw cargoFailure('test', r.stderr, inputs);
}

async function runCargo(args: string[], ctx: CargoContext, onLine: (l: string) => void) {
  // Shell-quoted, so what is shown is what ran, on one line, whatever an argument holds.
  ctx.log.info(commandLine('cargo', args));
  let r: RunResult;
  try {
    // cargo's stderr (build scripts' output included) is forwarded as it comes, unread: the
    // runner must not take any of it as a command.
    r = await ctx.log.untrusted(() =>
      run('cargo', args, {
        cwd: ctx.cwd,
        env: ctx.env,
        onStdoutLine: onLine,
        echoStderr: true,
      }),
    );
  } catch {
    throw new ActionError(
      'cargo is not installed or not on PATH; install Rust first (e.g. dtolnay/rust-toolchain)',
      'build',
    );
  }
  if (r.leftover) ctx.log.warning(leftoverMessage(args, r.leftover), 'cargo left a process');
  return r;
}

/**
 * A build script or test that starts a process and does not wait for it is a bug of the
 * project's (and in CI it can outlive the job's step): the run still ends, but says so.
 */
export function leftoverMessage(args: readonly string[], leftover: Leftover): string {
  const sub = args.find((a) => a === 'build' || a === 'test') ?? 'cargo';
  const what =
    leftover === 'killed'
      ? 'it was stopped'
      : 'it left its process group, so it could not be stopped and may still be running';
  return `cargo ${sub} exited, but a process it started (from a build script or a test) still held its output open: ${what}. Make build scripts and tests wait for the processes they start.`;
}

/** Maps cargo's refusals of our inputs to the input that caused them. */
function cargoFailure(sub: string, stderr: string, inputs: BuildInputs): ActionError {
  const rules: [RegExp, InputName, string, ((captured: string) => boolean)?][] = [
    [
      /profile `([^`]+)` is not defined/,
      'profile',
      "add [profile.$1] to Cargo.toml or use 'release'",
    ],
    [
      /package\(s\) `([^`]+)` not found in workspace|package ID specification `([^`]+)` did not match/,
      'package',
      'use a package name from the workspace (cargo metadata lists them)',
    ],
    [
      // Also said of a bad name in Cargo.toml: only ours if the name is one we passed.
      /invalid character `[^`]*` in package name: `([^`]+)`/,
      'package',
      'use a package name from the workspace (cargo metadata lists them)',
      (name) => [...inputs.packages, ...inputs.args].some((a) => a.includes(name)),
    ],
    [/no bin target named `([^`]+)`/, 'bin', 'use a [[bin]] name of the package'],
    // --example/--test/--bench have no input of their own: only `args` names them.
    [
      /no (example|test|bench) target named `([^`]+)`/,
      'args',
      'use a target name the package declares',
    ],
    [
      /does not (have|contain) (the|this|these) features?|none of the selected packages contains? th|in feature `|feature `[^`]*` is not allowed/,
      'features',
      'use features the package declares in [features]',
    ],
    [
      /the lock file .* needs to be updated but --locked/,
      'locked',
      "commit an up-to-date Cargo.lock or set 'locked: false'",
    ],
    [
      /could not find `Cargo.toml`/,
      'working-directory',
      "point 'working-directory' or 'manifest-path' at the crate",
    ],
    [
      /unexpected argument '[^']*' found|a value is required for '[^']*'|cannot be used (with '|multiple times)|invalid value '[^']*' for '/,
      'args',
      `fix or remove it in 'args' ('cargo ${sub} --help' lists the options)`,
    ],
  ];
  const lines = stderr.split('\n');
  // Cargo's own refusals (`error: …`), not the compiler's `error[E…]` diagnostics.
  const refusals = lines.filter((l) => l.startsWith('error: '));
  for (const [re, input, fix, ours] of rules) {
    const line = refusals.find((l) => re.test(l));
    if (line === undefined) continue;
    const m = re.exec(line) as RegExpExecArray;
    if (ours && !ours(m[1] ?? '')) continue;
    const said = line.slice('error: '.length).trim();
    return new InputError(
      blame(input, inputs),
      `cargo refused it: ${said}; ${fix.replace('$1', m[1] ?? '')}`,
    );
  }
  const errors = lines.filter((l) => /^error(\[E\d+\])?:/.test(l));
  const summary = errors.length
    ? errors
        .slice(0, 5)
        .map((l) => withBuildScriptOutput(l, lines))
        .join('\n')
    : tail(stderr, 10);
  return new CargoFailed(`cargo ${sub} failed:\n${summary}`, sub, stderr);
}

/**
 * A failed cargo run, with all it printed on stderr: a linker's "cannot find -lfoo" is in a
 * `note:` the summary leaves out, and the sysroot hint reads it there.
 */
export class CargoFailed extends ActionError {
  constructor(
    message: string,
    where: string,
    readonly stderr: string,
  ) {
    super(message, where);
  }
}

/**
 * cargo's "failed to run custom build command" names the package only; the reason is in the
 * build script's stderr, which cargo prints indented under "Caused by: … --- stderr". That
 * stderr, without the backtrace, goes along with the error.
 */
export function withBuildScriptOutput(errorLine: string, lines: readonly string[]): string {
  if (!errorLine.startsWith('error: failed to run custom build command')) return errorLine;
  const start = lines.indexOf(errorLine);
  const block: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (/^(error|warning)(\[|:)/.test(l)) break;
    block.push(l);
  }
  const marker = block.findIndex((l) => l.trim() === '--- stderr');
  if (marker < 0) return errorLine;
  const stderr: string[] = [];
  for (const l of block.slice(marker + 1)) {
    const text = l.replace(/^ {2}/, '');
    if (text.startsWith('--- ') || text === 'stack backtrace:') break;
    if (/^note: (run with `RUST_BACKTRACE|Some details are omitted)/.test(text)) continue;
    if (text.trim() !== '') stderr.push(text.trimEnd());
  }
  if (stderr.length === 0) return errorLine;
  const shown = stderr.length > 20 ? [...stderr.slice(0, 20), '…'] : stderr;
  return `${errorLine}\nbuild script stderr:\n${shown.map((l) => `  ${l}`).join('\n')}`;
}

/** A refused feature, package, bin or --locked came from `args` when its own input is unset. */
function blame(input: InputName, inputs: BuildInputs): InputName {
  const given =
    input === 'features'
      ? inputs.features.length > 0
      : input === 'package'
        ? inputs.packages.length > 0
        : input === 'bin'
          ? inputs.bins.length > 0
          : input === 'locked'
            ? inputs.locked
            : true;
  return given || inputs.args.length === 0 ? input : 'args';
}
