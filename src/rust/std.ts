import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError, InputError } from '../errors.js';
import { run, tail } from '../exec.js';
import type { Log } from '../log.js';

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
    const why = tail(r.stderr, 3).replace(/\n/g, ' ');
    if (ctx.toolchain) {
      throw new InputError(
        'rust-toolchain',
        `rustc +${ctx.toolchain} does not work (${why}); name an installed toolchain (see 'rustup toolchain list'), e.g. 'stable'`,
      );
    }
    throw new ActionError(`rustc cannot report its sysroot: ${why}`, 'rust-toolchain');
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
      `'rustup ${args.join(' ')}' failed:\n${tail(r.stderr)}`,
      'rust-toolchain',
    );
  }
  ctx.log.info(`Installed Rust targets: ${missing.join(', ')}`);
}
