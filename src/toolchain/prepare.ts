import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError, InputError } from '../errors.js';
import { shorten } from '../show.js';
import type { ActionInputs, CustomToolchain, Linker } from '../inputs.js';
import type { GccTools, LinkPlan } from '../cargo/env.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import type { TargetSpec } from '../targets/table.js';
import {
  archiveKindOf,
  installToolchain,
  type InstallContext,
  type ToolchainOrigin,
  type ToolchainSource,
} from './install.js';
import { discoverLayout } from './layout.js';
import { loadManifest, type ToolchainEntry } from './manifest.js';
import { downloadUrls, selectToolchain } from './select.js';

/** What the summary reports about the toolchain a target used. */
export interface ToolchainUse {
  triple: string;
  linker: 'gcc' | 'rust-lld';
  id: string | null;
  origin: ToolchainOrigin | null;
  dir: string | null;
  /** The target sysroot (for `qemu -L` in the user's own steps). */
  sysroot: string | null;
}

/** Crates that compile C/C++ through these need a real C cross compiler. */
const C_BUILD_CRATES = ['cc', 'cmake', 'openssl-src', 'bindgen'];

/** Whether a Cargo.lock pulls in a C build helper (so musl needs gcc, not rust-lld). */
export function lockfileBuildsC(lock: string): boolean {
  return C_BUILD_CRATES.some((name) => lock.includes(`\nname = "${name}"\n`));
}

/** The linker a target gets: `linker` input, or for `auto`, gcc unless musl without C code. */
export function chooseLinker(
  linker: Linker,
  spec: TargetSpec,
  buildsC: boolean,
): 'gcc' | 'rust-lld' {
  if (linker !== 'auto') return linker;
  return spec.libc === 'musl' && !buildsC ? 'rust-lld' : 'gcc';
}

/** Nearest Cargo.lock at or above the crate directory, up to `stop`. */
export function findLockfile(start: string, stop: string): string | null {
  let dir = start;
  for (;;) {
    const p = path.join(dir, 'Cargo.lock');
    if (fs.existsSync(p)) return p;
    const up = path.dirname(dir);
    if (up === dir || !dir.startsWith(stop)) return null;
    dir = up;
  }
}

export interface PrepareContext extends InstallContext {
  workspace: string;
}

/** Decides and installs what links each target. */
export async function prepareToolchains(
  inputs: ActionInputs,
  ctx: PrepareContext,
): Promise<{ plans: Map<string, LinkPlan>; uses: ToolchainUse[] }> {
  const crateDir = inputs.manifestPath
    ? path.dirname(inputs.manifestPath)
    : inputs.workingDirectory;
  const lock = findLockfile(crateDir, ctx.workspace);
  const buildsC = lock ? lockfileBuildsC(fs.readFileSync(lock, 'utf8')) : true;
  const plans = new Map<string, LinkPlan>();
  const uses: ToolchainUse[] = [];
  const installed = new Map<string, { dir: string; origin: ToolchainOrigin }>();
  for (const target of inputs.targets) {
    const linker = chooseLinker(inputs.linker, target.spec, buildsC);
    ctx.log.info(
      `${target.spec.triple}: linker ${linker}${inputs.linker === 'auto' ? describeAuto(target, buildsC, lock) : ' (linker input)'}`,
    );
    if (linker === 'rust-lld') {
      plans.set(target.spec.triple, { kind: 'rust-lld' });
      uses.push({
        triple: target.spec.triple,
        linker,
        id: null,
        origin: null,
        dir: null,
        sysroot: null,
      });
      continue;
    }
    const { source, hint } = sourceFor(target, inputs, ctx);
    let got = installed.get(source.id);
    if (!got) {
      got = await installToolchain(source, ctx);
      installed.set(source.id, got);
      ctx.log.info(
        `Toolchain ${source.id}: ${got.origin === 'download' ? 'downloaded' : `from the ${got.origin}`} → ${got.dir}`,
      );
    }
    const layout = await discoverLayout(got.dir, target.spec, hint).catch((err: Error) => {
      if (err instanceof InputError) throw err;
      throw new ActionError(
        `toolchain ${source.id} cannot link ${target.spec.triple}: ${err.message}`,
        'toolchain',
      );
    });
    ctx.log.info(`${target.spec.triple}: ${layout.binPrefix}gcc, sysroot ${layout.sysroot}`);
    plans.set(target.spec.triple, { kind: 'gcc', layout, tools: gccTools(layout.binPrefix) });
    uses.push({
      triple: target.spec.triple,
      linker,
      id: source.id,
      origin: got.origin,
      dir: got.dir,
      sysroot: layout.sysroot,
    });
  }
  return { plans, uses };
}

function describeAuto(target: ResolvedTarget, buildsC: boolean, lock: string | null): string {
  if (target.spec.libc === 'gnu') return ' (glibc targets link with a gcc toolchain)';
  if (!lock) return ' (no Cargo.lock to prove the crate compiles no C, so gcc to be safe)';
  return buildsC
    ? ' (Cargo.lock has a C build dependency)'
    : " (pure Rust: rustup's rust-lld and Rust's own musl objects, no download)";
}

function sourceFor(
  target: ResolvedTarget,
  inputs: ActionInputs,
  ctx: PrepareContext,
): { source: ToolchainSource; hint: { prefix: string | null; sysroot: string | null } } {
  if (inputs.customToolchain)
    return { source: customSource(inputs.customToolchain), hint: inputs.customToolchain };
  const sel = selectToolchain(loadManifest(), {
    triple: target.spec.triple,
    host: { os: ctx.hostOs, arch: ctx.hostArch },
    glibcFloor: target.spec.libc === 'gnu' ? inputs.glibcFloor : null,
  });
  if (!sel.entry) throw new ActionError(sel.reason, 'toolchain');
  return { source: manifestSource(sel.entry, inputs.toolchainMirror), hint: sel.entry.layout };
}

function manifestSource(entry: ToolchainEntry, mirror: string | null): ToolchainSource {
  return {
    id: entry.id,
    urls: downloadUrls(entry, mirror ?? undefined),
    sha256: entry.sha256,
    format: entry.format,
  };
}

export function customSource(c: CustomToolchain): ToolchainSource {
  const format = archiveKindOf(c.url);
  if (!format) {
    throw new ActionError(
      `input 'toolchain-url': cannot tell the archive type of ${shorten(c.url)}; it must end in .tar.gz, .tgz, .tar.xz, .tar.bz2 or .zip`,
      'toolchain-url',
    );
  }
  return {
    id: `custom-${c.sha256.slice(0, 12)}`,
    urls: [c.url],
    sha256: c.sha256,
    format,
    input: 'toolchain-url',
  };
}

function gccTools(binPrefix: string): GccTools {
  const has = (tool: string) => fs.existsSync(`${binPrefix}${tool}`);
  return { cxx: has('g++'), ranlib: has('ranlib'), strip: has('strip') };
}
