import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError, InputError } from '../errors.js';
import { run, tail } from '../exec.js';
import type { Log } from '../log.js';
import { shorten, shown } from '../show.js';

export interface RustContext {
  /** `rust-toolchain` input: passed as `+<name>`; null = rustup's choice for the directory. */
  toolchain: string | null;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: Log;
}

export function plusToolchain(toolchain: string | null): string[] {
  return toolchain ? [`+${toolchain}`] : [];
}

/** rustup's own `error:` line (its stderr may end in a backtrace), else the last lines. */
export function rustupReason(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('error:'));
  return (line ?? tail(stderr, 3)).replace(/\n/g, ' ').replace(/^error:\s*/, '');
}

/**
 * The toolchain a rust-toolchain file asks for: `[toolchain] channel` (or `path`) of the TOML
 * form, or the whole first line of the legacy one-line form. Null when it names none.
 */
export function toolchainFileChannel(text: string): string | null {
  let inToolchain = false;
  let sawTable = false;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) {
      sawTable = true;
      inToolchain = header[1] === 'toolchain';
      continue;
    }
    const m = /^\s*(channel|path)\s*=\s*["']([^"']*)["']/.exec(line);
    if (inToolchain && m) return m[2] as string;
  }
  if (sawTable) return null;
  const first =
    text
      .split(/\r?\n/)
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  return first && !first.includes('=') ? first : null;
}

/** The rust-toolchain file rustup obeys in `cwd`: the nearest one upwards (legacy name first). */
export function findToolchainFile(cwd: string): string | null {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of ['rust-toolchain', 'rust-toolchain.toml']) {
      const p = path.join(dir, name);
      if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** Why rustc failed when no `rust-toolchain` input chose it: most often the directory's file. */
function noRustc(why: string, ctx: RustContext): ActionError {
  const file = ctx.env.RUSTUP_TOOLCHAIN ? null : findToolchainFile(ctx.cwd);
  const channel = file ? toolchainFileChannel(fs.readFileSync(file, 'utf8')) : null;
  if (file && channel) {
    return new ActionError(
      `${file} asks for Rust toolchain ${shown(channel)}, which rustc cannot use (${why}). Install it in an earlier step: 'rustup toolchain install ${channel}' (e.g. 'uses: dtolnay/rust-toolchain@master' with 'toolchain: ${channel}'), or set 'rust-toolchain' to an installed toolchain (see 'rustup toolchain list')`,
      'rust-toolchain',
    );
  }
  return new ActionError(`rustc cannot report its sysroot: ${why}`, 'rust-toolchain');
}

/** The targets whose standard library the chosen rustc lacks (one rustc call, no network). */
export async function missingStd(triples: readonly string[], ctx: RustContext): Promise<string[]> {
  const r = await run('rustc', [...plusToolchain(ctx.toolchain), '--print', 'sysroot'], {
    cwd: ctx.cwd,
    env: ctx.env,
  }).catch(() => {
    throw new ActionError(
      "rustc is not installed or not on PATH; install Rust first (e.g. 'uses: dtolnay/rust-toolchain@stable')",
      'rust-toolchain',
    );
  });
  if (r.code !== 0) {
    const why = rustupReason(r.stderr);
    if (ctx.toolchain) {
      throw new InputError(
        'rust-toolchain',
        `rustc +${shorten(ctx.toolchain)} does not work (${why}); name an installed toolchain (see 'rustup toolchain list'), e.g. 'stable'`,
      );
    }
    throw noRustc(why, ctx);
  }
  const sysroot = r.stdout.trim();
  return triples.filter((t) => {
    const dir = path.join(sysroot, 'lib', 'rustlib', t, 'lib');
    return !(
      fs.existsSync(dir) &&
      fs.readdirSync(dir).some((f) => f.startsWith('libstd-') && f.endsWith('.rlib'))
    );
  });
}

/** `rustup target add` for the targets whose std is missing. */
export async function ensureStd(triples: readonly string[], ctx: RustContext): Promise<void> {
  const missing = await missingStd(triples, ctx);
  if (missing.length === 0) {
    ctx.log.info(`Rust standard library present for ${triples.join(', ')}`);
    return;
  }
  const args = [
    'target',
    'add',
    ...(ctx.toolchain ? ['--toolchain', ctx.toolchain] : []),
    ...missing,
  ];
  let r;
  try {
    r = await run('rustup', args, { cwd: ctx.cwd, env: ctx.env });
  } catch {
    throw new ActionError(
      `the Rust standard library for ${missing.join(', ')} is missing and rustup is not installed to add it. Install Rust with rustup first (e.g. 'uses: dtolnay/rust-toolchain@stable' with 'targets: ${missing.join(',')}').`,
      'rust-toolchain',
    );
  }
  if (r.code !== 0) {
    throw new ActionError(
      `'rustup ${shorten(args.join(' '))}' failed:\n${tail(r.stderr)}`,
      'rust-toolchain',
    );
  }
  ctx.log.info(`Installed Rust targets: ${missing.join(', ')}`);
}
