import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError, InputError } from '../errors.js';
import { shorten } from '../show.js';
import type { ActionInputs, CustomToolchain, Linker } from '../inputs.js';
import type { GccTools, LinkPlan, ZigPlan } from '../cargo/env.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import type { TargetSpec } from '../targets/table.js';
import {
  archiveKindOf,
  installToolchain,
  type InstallContext,
  type InstalledToolchain,
  type ToolchainOrigin,
  type ToolchainSource,
} from './install.js';
import { restoreCachedDir } from './actions-cache.js';
import { zigCacheKey } from '../zig/cache.js';
import { discoverLayout, isSysroot } from './layout.js';
import { loadManifest, type ToolchainEntry } from './manifest.js';
import { downloadUrls, selectToolchain } from './select.js';
import { isZigDistribution, discoverZig } from './zig-layout.js';
import { zigEntryFor, zigRunFacts, type ZigRunFacts } from '../zig/select.js';
import { zigFacts, zigTarget } from '../zig/targets.js';
import { wrapperRoot as zigWrapperRoot, writeWrappers } from '../zig/wrappers.js';
import { makeSpaceFreePrivateDir } from '../tempdir.js';

/** What the summary reports about the toolchain a target used. */
export interface ToolchainUse {
  triple: string;
  linker: 'gcc' | 'zig' | 'rust-lld';
  id: string | null;
  origin: ToolchainOrigin | null;
  dir: string | null;
  /** The target sysroot (for `qemu -L` in the user's own steps). */
  sysroot: string | null;
  /** Something the user should know about how this target was linked or run. */
  note?: string;
}

/** Crates that compile C/C++ through these need a real C cross compiler. */
const C_BUILD_CRATES = ['cc', 'cmake', 'openssl-src', 'bindgen'];

/** Whether a Cargo.lock pulls in a C build helper (so musl needs gcc, not rust-lld). */
export function lockfileBuildsC(lock: string): boolean {
  return C_BUILD_CRATES.some((name) => lock.includes(`\nname = "${name}"\n`));
}

/**
 * The linker kind a target gets before any toolchain is looked at: the `linker` input, or for
 * `auto`, rust-lld for pure-Rust musl and otherwise a C toolchain (`gcc` here; `auto` may still
 * fall back to zig where no pinned gcc fits, see planTarget).
 */
export function chooseLinker(
  linker: Linker,
  spec: TargetSpec,
  buildsC: boolean,
): 'gcc' | 'zig' | 'rust-lld' {
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
  /** The runner's ZIG_GLOBAL_CACHE_DIR, if the user set one: used instead of the tool cache. */
  zigCacheDir?: string;
  /** The zig wrappers' program: node and the bundled entry. */
  zigRuntime?: { node: string; entry: string };
}

/** What links one target, decided before anything is downloaded. */
export type Decision =
  | { target: ResolvedTarget; linker: 'rust-lld'; why: string }
  | {
      target: ResolvedTarget;
      /** `custom`: a toolchain-url, whose kind is known only once it is unpacked. */
      linker: 'gcc' | 'zig' | 'custom';
      why: string;
      source: ToolchainSource;
      hint: { prefix: string | null; sysroot: string | null };
    };

/** At most this many toolchain downloads run at once (each is one archive, verified, unpacked). */
const PARALLEL_INSTALLS = 3;

/** Decides and installs what links each target. */
export async function prepareToolchains(
  inputs: ActionInputs,
  ctx: PrepareContext,
): Promise<{ plans: Map<string, LinkPlan>; uses: ToolchainUse[]; zigCache: ZigCacheEntry | null }> {
  const crateDir = inputs.manifestPath
    ? path.dirname(inputs.manifestPath)
    : inputs.workingDirectory;
  const lock = findLockfile(crateDir, ctx.workspace);
  const buildsC = lock ? lockfileBuildsC(fs.readFileSync(lock, 'utf8')) : true;
  const host = { os: ctx.hostOs, arch: ctx.hostArch };
  const decisions = inputs.targets.map((t) => decideLinker(t, inputs, host, buildsC, lock));
  for (const d of decisions)
    ctx.log.info(
      `${d.target.spec.triple}: linker ${d.linker === 'custom' ? 'from toolchain-url' : d.linker} (${d.why})`,
    );
  const installed = await installAll(decisions, ctx);
  const plans = new Map<string, LinkPlan>();
  const uses: ToolchainUse[] = [];
  let wrapperRoot: string | null = null;
  for (const d of decisions) {
    const triple = d.target.spec.triple;
    if (d.linker === 'rust-lld') {
      plans.set(triple, { kind: 'rust-lld' });
      uses.push({ triple, linker: 'rust-lld', id: null, origin: null, dir: null, sysroot: null });
      continue;
    }
    const got = installed.get(d.source.id) as InstalledToolchain;
    const isZig = isZigDistribution(got.dir);
    if (d.linker === 'gcc' && isZig) {
      throw new ActionError(
        `toolchain ${d.source.id} is a zig distribution, but 'linker: gcc' was asked for; set 'linker: zig' (or 'auto') or give a gcc toolchain`,
        'linker',
      );
    }
    if (d.linker === 'zig' && !isZig) {
      throw new ActionError(
        `toolchain ${d.source.id} is not a zig distribution (no zig executable beside lib/); with 'linker: zig' give a zig release archive, or set 'linker: auto'`,
        'linker',
      );
    }
    if (isZig) {
      // Space-free: build systems that take CC apart (cmake's guess, cc-rs) split it at spaces.
      wrapperRoot ??= zigWrapperRoot(ctx.toolCacheDir, () =>
        makeSpaceFreePrivateDir(ctx.tempDir, 'rpi-cross-zig-'),
      );
      const plan = await zigPlan(d.target, got.dir, inputs.glibcFloor, wrapperRoot, ctx);
      plans.set(triple, plan.plan);
      uses.push({
        triple,
        linker: 'zig',
        id: d.source.id,
        origin: got.origin,
        dir: got.dir,
        sysroot: plan.plan.runSysroot,
        ...(plan.note ? { note: plan.note } : {}),
      });
      continue;
    }
    const layout = await discoverLayout(got.dir, d.target.spec, d.hint).catch((err: Error) => {
      if (err instanceof InputError) throw err;
      throw new ActionError(
        `toolchain ${d.source.id} cannot link ${triple}: ${err.message}`,
        'toolchain',
      );
    });
    ctx.log.info(`${triple}: ${layout.binPrefix}gcc, sysroot ${layout.sysroot}`);
    plans.set(triple, { kind: 'gcc', layout, tools: gccTools(layout.binPrefix) });
    uses.push({
      triple,
      linker: 'gcc',
      id: d.source.id,
      origin: got.origin,
      dir: got.dir,
      sysroot: layout.sysroot,
    });
  }
  return { plans, uses, zigCache: await restoreZigCache(plans, ctx) };
}

/** zig's cache in the Actions cache: restored here, saved after the build (main.ts). */
export interface ZigCacheEntry {
  dir: string;
  key: string;
  /** Restored from (or already filled in) the tool cache: nothing new to save under this key. */
  hit: boolean;
}

async function restoreZigCache(
  plans: ReadonlyMap<string, LinkPlan>,
  ctx: PrepareContext,
): Promise<ZigCacheEntry | null> {
  const zig = [...plans.values()].filter((p): p is ZigPlan => p.kind === 'zig');
  const first = zig[0];
  // A ZIG_GLOBAL_CACHE_DIR of the user's own is theirs to cache.
  if (!first || !ctx.actionsCache || ctx.zigCacheDir) return null;
  const key = zigCacheKey(zig, { os: ctx.hostOs, arch: ctx.hostArch });
  const filled = fs.readdirSync(first.cacheDir).length > 0;
  const hit = filled || (await restoreCachedDir(first.cacheDir, key, ctx.log));
  return { dir: first.cacheDir, key, hit };
}

/**
 * Installs each distinct toolchain once, `limit` at a time: a cold `pi-zero, pi2, pi4` run no
 * longer waits for three downloads in a row. Each install keeps its own lock and cache checks.
 */
export async function installDistinct(
  sources: readonly ToolchainSource[],
  limit: number,
  install: (src: ToolchainSource) => Promise<InstalledToolchain>,
): Promise<Map<string, InstalledToolchain>> {
  const queue = [...new Map(sources.map((s) => [s.id, s])).values()];
  const done = new Map<string, InstalledToolchain>();
  const worker = async () => {
    for (let src = queue.shift(); src; src = queue.shift()) done.set(src.id, await install(src));
  };
  const workers = Array.from({ length: Math.min(limit, queue.length) }, worker);
  // Every worker is awaited, so a failed install never leaves another one running unseen.
  const results = await Promise.allSettled(workers);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return done;
}

function installAll(
  decisions: readonly Decision[],
  ctx: PrepareContext,
): Promise<Map<string, InstalledToolchain>> {
  const sources = decisions.flatMap((d) => (d.linker === 'rust-lld' ? [] : [d.source]));
  return installDistinct(sources, PARALLEL_INSTALLS, async (src) => {
    const got = await installToolchain(src, ctx);
    ctx.log.info(
      `Toolchain ${src.id}: ${got.origin === 'download' ? 'downloaded' : `from the ${got.origin}`} → ${got.dir}`,
    );
    return got;
  });
}

/**
 * What links a target, from the inputs and the manifest alone (no I/O): `auto` keeps a pinned
 * gcc where one fits host, target and floor, and takes zig otherwise, saying why.
 */
export function decideLinker(
  target: ResolvedTarget,
  inputs: ActionInputs,
  host: { os: string; arch: string },
  buildsC: boolean,
  lock: string | null,
): Decision {
  const first = chooseLinker(inputs.linker, target.spec, buildsC);
  if (first === 'rust-lld') {
    const why = inputs.linker === 'auto' ? describeAuto(target, buildsC, lock) : 'linker input';
    return { target, linker: 'rust-lld', why };
  }
  if (inputs.customToolchain) {
    const source = customSource(inputs.customToolchain);
    const linker = inputs.linker === 'auto' ? 'custom' : first;
    const why = inputs.linker === 'auto' ? 'toolchain-url' : 'linker input, from toolchain-url';
    return { target, linker, why, source, hint: inputs.customToolchain };
  }
  const manifest = loadManifest();
  if (first === 'gcc') {
    const sel = selectToolchain(manifest, {
      triple: target.spec.triple,
      host,
      glibcFloor: target.spec.libc === 'gnu' ? inputs.glibcFloor : null,
    });
    if (sel.entry) {
      const why =
        inputs.linker === 'auto'
          ? `${describeAuto(target, buildsC, lock)}; pinned ${sel.entry.id} fits`
          : 'linker input';
      return {
        target,
        linker: 'gcc',
        why,
        source: manifestSource(sel.entry, inputs.toolchainMirror),
        hint: sel.entry.layout,
      };
    }
    if (inputs.linker === 'gcc') throw new ActionError(sel.reason, 'toolchain');
    const zig = zigEntryFor(manifest, host);
    if (!zig) throw new ActionError(sel.reason, 'toolchain');
    // The refusal's first sentence says what no gcc serves (host, target or floor).
    const why = `${sel.reason.split('. ')[0]}; zig ${zig.release} links it`;
    return {
      target,
      linker: 'zig',
      why,
      source: manifestSource(zig, inputs.toolchainMirror),
      hint: { prefix: null, sysroot: null },
    };
  }
  const zig = zigEntryFor(manifest, host);
  if (!zig) {
    throw new ActionError(
      `no pinned zig runs on host ${host.os}/${host.arch}; give one with 'toolchain-url' and 'toolchain-sha256', or set 'linker: auto'`,
      'linker',
    );
  }
  return {
    target,
    linker: 'zig',
    why: 'linker input',
    source: manifestSource(zig, inputs.toolchainMirror),
    hint: { prefix: null, sysroot: null },
  };
}

async function zigPlan(
  target: ResolvedTarget,
  dir: string,
  glibcFloor: string,
  wrapperRoot: string,
  ctx: PrepareContext,
): Promise<{ plan: ZigPlan; note: string | null }> {
  const spec = target.spec;
  const zig = await discoverZig(dir).catch((err: Error) => {
    throw new ActionError(`zig in ${dir} cannot link ${spec.triple}: ${err.message}`, 'toolchain');
  });
  const runtime = ctx.zigRuntime;
  if (!runtime) throw new Error('internal: no zig wrapper runtime');
  const facts = zigFacts(spec);
  const ztarget = zigTarget(spec, glibcFloor);
  const wrappers = writeWrappers(
    wrapperRoot,
    spec.triple,
    {
      zig: zig.zig,
      target: ztarget,
      cpu: facts.cpu,
      rules: { arch: spec.arch, libc: spec.libc, zigVersion: zig.version },
    },
    runtime,
  );
  const run: ZigRunFacts = zigRunFacts(spec, target.qemuCpu, (d) => isSysroot(d, spec));
  const cacheDir =
    ctx.zigCacheDir || path.join(ctx.toolCacheDir, 'rpi-cross-zig-cache', zig.version);
  fs.mkdirSync(cacheDir, { recursive: true });
  ctx.log.info(
    `${spec.triple}: zig ${zig.version} -target ${ztarget}${facts.cpu ? ` -mcpu=${facts.cpu}` : ''}, wrappers in ${wrappers.dir}, cache ${cacheDir}`,
  );
  // Its warning waits for the sysroot stage (adoptRuntimes): a Pi OS runtime may make it moot.
  return {
    plan: {
      kind: 'zig',
      zig: zig.zig,
      version: zig.version,
      target: ztarget,
      cpu: facts.cpu,
      wrappers,
      runSysroot: run.sysroot,
      runCpu: run.cpu,
      cacheDir,
    },
    note: run.cpu ? run.note : null,
  };
}

function describeAuto(target: ResolvedTarget, buildsC: boolean, lock: string | null): string {
  if (target.spec.libc === 'gnu') return 'auto: glibc targets link with a C toolchain';
  if (!lock)
    return 'auto: no Cargo.lock to prove the crate compiles no C, so a C toolchain to be safe';
  return buildsC
    ? 'auto: Cargo.lock has a C build dependency'
    : "auto: pure Rust: rustup's rust-lld and Rust's own musl objects, no download";
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
