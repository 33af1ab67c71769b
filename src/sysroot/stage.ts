/**
 * The `sysroot-packages` stage: per target, resolve the packages against the verified indexes
 * of its Pi OS release, take the unpacked overlay from the tool cache, the Actions cache or a
 * fresh verified download, and build the merged sysroot and the compiler wrappers around it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planSysroot, type LinkPlan, type TargetSysroot } from '../cargo/env.js';
import { ActionError, errorMessage } from '../errors.js';
import type { ActionInputs } from '../inputs.js';
import type { Log } from '../log.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import type { ToolchainUse } from '../toolchain/prepare.js';
import { makeSpaceFreePrivateDir } from '../tempdir.js';
import { restoreCachedDir, saveCachedDir } from '../toolchain/actions-cache.js';
import type { WrapperConfig } from '../zig/command.js';
import { writeWrappers } from '../zig/wrappers.js';
import { runtimePackages, suiteSources } from './archives.js';
import {
  downloadDebs,
  loadIndexes,
  openSuites,
  resolveRequest,
  unpackAll,
  type ClientDeps,
  type OpenedSuite,
  type SysrootRequest,
} from './client.js';
import type { PackageIndex } from './packages.js';
import { parseElf, type ArmAttributes } from '../elf/index.js';
import { ARMV7_LIBC_CPU } from '../zig/targets.js';
import { httpFetcher, type Fetcher } from './fetch.js';
import { indexCache, keyCache, sysrootCacheRoot } from './file-cache.js';
import { keyringTrust, type Trust } from './keys.js';
import { mergeTrees } from './merge.js';
import { sha256Hex } from './packages.js';
import {
  compilerWrapper,
  gccSysrootArgs,
  packagesFor,
  runtimeVerdict,
  sharedLibraries,
  sysrootCacheKey,
  zigSysroot,
  type PackageFiles,
} from './plan.js';

const WHERE = 'sysroot-packages';

export interface SysrootContext {
  toolCacheDir: string;
  /** This run's private directory. */
  workDir: string;
  log: Log;
  zigRuntime: { node: string; entry: string };
  fetch?: Fetcher;
  now?: () => Date;
}

export interface PreparedSysroot extends TargetSysroot {
  triple: string;
  /** The unpacked packages (in the tool cache). */
  overlay: string;
  /** `name=version`, in resolution order. */
  resolved: string[];
  packages: PackageFiles[];
  origin: 'download' | 'tool-cache' | 'actions-cache';
  key: string;
  /** Milliseconds per step, for the log and the report. */
  timings: Record<string, number>;
}

/** The ARMv6 smoke-run root: the Pi OS's own loader and libc (archives.json `runtime`). */
export interface PreparedRuntime {
  triple: string;
  /** qemu's `-L`: the runtime packages over the `sysroot-packages` ones. */
  root: string;
  /** `name=version` of the runtime packages. */
  resolved: string[];
  origin: PreparedSysroot['origin'];
  /** The qemu CPU when the board's own cannot run this libc; null: the board's. */
  cpu: string | null;
  /** How smoke runs go, for the log and the summary. */
  note: string;
}

export interface PreparedSysroots {
  /** Per triple, the merged sysroot of `sysroot-packages` (none without them). */
  sysroots: Map<string, PreparedSysroot>;
  /** Per triple, the smoke-run root of targets with runtime packages that qemu will run. */
  runtimes: Map<string, PreparedRuntime>;
}

/**
 * Every target's merged sysroot (for `sysroot-packages`) and smoke-run root (for targets whose
 * only correct libc is the Pi OS's own, when qemu will run them), by triple.
 */
export async function prepareSysroots(
  inputs: ActionInputs,
  plans: ReadonlyMap<string, LinkPlan>,
  /** qemu binaries found, by name: a runtime is fetched only for targets that will run. */
  qemus: ReadonlyMap<string, string>,
  ctx: SysrootContext,
): Promise<PreparedSysroots> {
  const out: PreparedSysroots = { sysroots: new Map(), runtimes: new Map() };
  const sys = inputs.sysroot;
  const work = sysrootWork(inputs, qemus);
  if (work.every((w) => w.packages.length === 0 && w.runtime.length === 0)) return out;
  const trust = sys?.keyring ? await keyringTrust(sys.keyring) : null;
  const root = sysrootCacheRoot(ctx.toolCacheDir);
  const deps: ClientDeps = {
    fetch:
      ctx.fetch ??
      httpFetcher({ attempts: 3, backoffMs: 2000, socketTimeoutMs: inputs.downloadTimeoutMs }),
    log: ctx.log,
    now: ctx.now,
    indexCache: indexCache(root, ctx.log),
    keyCache: keyCache(root, ctx.log),
  };
  // gcc --sysroot, pkg-config's output and qemu's -L all go through paths split at spaces.
  let dir: string | null = null;
  const runDir = (): string => (dir ??= makeSpaceFreePrivateDir(ctx.workDir, 'rpi-cross-sysroot-'));
  const one: OneContext = {
    ...ctx,
    deps,
    trust,
    mirror: sys?.mirror ?? null,
    piOs: inputs.piOs,
    cache: inputs.cache,
    root,
    dir: runDir,
  };
  for (const { target, packages, runtime } of work) {
    const triple = target.spec.triple;
    if (packages.length === 0 && runtime.length === 0) continue;
    const plan = plans.get(triple);
    if (!plan) throw new Error(`internal: no link plan for ${triple}`);
    let opened: OpenedTarget;
    try {
      opened = await openTarget(triple, one);
    } catch (err) {
      // The runtime alone only sharpens a smoke run: without the archive it runs as before.
      if (packages.length > 0 || !(err instanceof ActionError)) throw err;
      ctx.log.warning(
        `${triple}: the Pi OS runtime for smoke runs is not available (${err.message}); set 'sysroot-mirror' to a mirror of the Raspbian archive this runner can reach to run them against the Pi's own libc`,
        'smoke run CPU',
      );
      continue;
    }
    let prepared: PreparedSysroot | null = null;
    if (packages.length > 0) {
      prepared = await prepareOne(target, plan, packages, opened, one);
      ctx.log.info(
        `${triple}: sysroot packages ${prepared.resolved.join(' ')} (${prepared.origin})`,
      );
      ctx.log.info(`${triple}: merged sysroot ${prepared.dir}`);
      out.sysroots.set(triple, prepared);
    }
    if (runtime.length > 0) {
      let r: PreparedRuntime;
      try {
        r = await prepareRuntime(target, runtime, opened, prepared, one);
      } catch (err) {
        // Only a sharper smoke run is lost; nothing unverified was kept.
        if (!(err instanceof ActionError)) throw err;
        ctx.log.warning(
          `${triple}: the Pi OS runtime for smoke runs is not available (${err.message})`,
          'smoke run CPU',
        );
        continue;
      }
      const t = opened.timings;
      ctx.log.info(
        `${triple}: Pi OS runtime ${r.resolved.join(' ')} (${r.origin}); InRelease ${t.inrelease} ms, indexes ${t.indexes} ms, resolve ${t.resolve} ms${t.debs !== undefined ? `, .debs ${t.debs} ms, unpack ${t.unpack} ms` : ''} (with the packages')`,
      );
      if (r.cpu) ctx.log.warning(`${triple}: ${r.note}`, 'smoke run CPU');
      else ctx.log.info(`${triple}: ${r.note}`);
      out.runtimes.set(triple, r);
    }
  }
  return out;
}

/** Per target, the packages asked for and the runtime packages a smoke run will need. */
function sysrootWork(
  inputs: ActionInputs,
  qemus: ReadonlyMap<string, string>,
): { target: ResolvedTarget; packages: string[]; runtime: readonly string[] }[] {
  return inputs.targets.map((target) => ({
    target,
    packages: inputs.sysroot ? packagesFor(inputs.sysroot, target.spec.triple) : [],
    runtime:
      target.spec.interpreter && qemus.has(target.spec.qemu.binary)
        ? runtimePackages(target.spec.triple)
        : [],
  }));
}

/** Whether the stage has anything to do: packages asked for, or a runtime a smoke run needs. */
export function wantsPiOsPackages(
  inputs: ActionInputs,
  qemus: ReadonlyMap<string, string>,
): boolean {
  return sysrootWork(inputs, qemus).some((w) => w.packages.length > 0 || w.runtime.length > 0);
}

interface OneContext extends SysrootContext {
  deps: ClientDeps;
  trust: Trust | null;
  mirror: string | null;
  piOs: string;
  cache: boolean;
  root: string;
  /** This run's space-free private directory, made on first use. */
  dir: () => string;
}

interface OpenedTarget {
  triple: string;
  suites: OpenedSuite[];
  /** `archive/suite` of every suite opened: part of each cache key. */
  opened: string[];
  /** Suites not reachable, for an unknown package's message. */
  skipped: string[];
  indexes: PackageIndex[];
  timings: Record<string, number>;
}

/** A stopwatch that adds each step's milliseconds to `timings`. */
function stopwatch(timings: Record<string, number>) {
  return async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + Math.round(performance.now() - t0);
    }
  };
}

/** The target's verified suites and indexes, read once for its packages and its runtime. */
async function openTarget(triple: string, ctx: OneContext): Promise<OpenedTarget> {
  const req = request(triple, [], ctx);
  const timings: Record<string, number> = {};
  const time = stopwatch(timings);
  const suites = await time('inrelease', () => openSuites(req, ctx.deps));
  const opened = suites.map((s) => `${s.source.archive}/${s.source.suite}`);
  const skipped = suiteSources(triple, ctx.piOs, ctx.mirror)
    .filter((s) => !opened.includes(`${s.archive}/${s.suite}`))
    .map((s) => `${s.label} ${s.suite}`);
  const indexes = await time('indexes', () => loadIndexes(req, suites, ctx.deps));
  return { triple, suites, opened, skipped, indexes, timings };
}

function request(
  triple: string,
  packages: readonly string[],
  ctx: OneContext,
  have?: readonly string[],
): SysrootRequest {
  return {
    triple,
    piOs: ctx.piOs,
    packages,
    mirror: ctx.mirror,
    trust: ctx.trust,
    ...(have ? { have } : {}),
  };
}

interface Overlay {
  /** The unpacked packages (in the tool cache). */
  dir: string;
  resolved: string[];
  packages: PackageFiles[];
  origin: PreparedSysroot['origin'];
  key: string;
}

/**
 * The resolved closure of `req.packages`, unpacked: from the tool cache, the Actions cache or a
 * fresh verified download, kept under a key that names exactly that closure.
 */
async function overlayFor(
  req: SysrootRequest,
  target: OpenedTarget,
  what: string,
  ctx: OneContext,
): Promise<Overlay> {
  const triple = req.triple;
  const time = stopwatch(target.timings);
  const resolution = await time('resolve', async () =>
    resolveRequest(req, target.indexes, target.skipped),
  );
  const resolved = resolution.packages.map((p) => `${p.name}=${p.version}`);
  const key = sysrootCacheKey(
    triple,
    target.opened,
    resolution.packages.map((p) => `${p.filename} ${p.sha256}`),
  );
  // <key>/root is the overlay, <key>/packages.json written last says it is complete.
  const entry = path.join(ctx.root, triple, key);
  const overlay = path.join(entry, 'root');
  const manifest = path.join(entry, 'packages.json');
  let origin: PreparedSysroot['origin'] = 'tool-cache';
  if (!fs.existsSync(manifest)) {
    fs.rmSync(entry, { recursive: true, force: true });
    origin = 'actions-cache';
    const restored =
      ctx.cache &&
      (await time('restore', () => restoreCachedDir(entry, key, ctx.log))) &&
      fs.existsSync(manifest);
    if (!restored) {
      fs.rmSync(entry, { recursive: true, force: true });
      origin = 'download';
      const debs = await time('debs', () => downloadDebs(req, resolution.packages, ctx.deps));
      // Made aside and renamed into place whole: a job sharing this tool cache sees the entry
      // complete (manifest included) or not at all.
      const staging = `${entry}.partial-${process.pid}-${Date.now()}`;
      try {
        const results = await time('unpack', () =>
          unpackAll(resolution.packages, debs, path.join(staging, 'root')),
        );
        const files: PackageFiles[] = resolution.packages.map((p) => ({
          name: p.name,
          version: p.version,
          libraries: sharedLibraries(results.get(p.name)?.paths ?? []),
        }));
        fs.writeFileSync(path.join(staging, 'packages.json'), JSON.stringify(files));
        try {
          fs.renameSync(staging, entry);
        } catch (err) {
          // Another job put the same verified closure there first: theirs serves as well.
          if (!fs.existsSync(manifest)) throw err;
        }
      } catch (err) {
        if (err instanceof ActionError || !(err as NodeJS.ErrnoException).syscall) throw err;
        throw new ActionError(
          `cannot write the sysroot packages to the tool cache (${entry}): ${errorMessage(err)}. Free disk space or make RUNNER_TOOL_CACHE writable.`,
          WHERE,
        );
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
      }
      if (ctx.cache) await saveCachedDir(entry, key, ctx.log, `the ${triple} ${what}`);
    }
  }
  const packages = JSON.parse(fs.readFileSync(manifest, 'utf8')) as PackageFiles[];
  return { dir: overlay, resolved, packages, origin, key };
}

async function prepareOne(
  target: ResolvedTarget,
  plan: LinkPlan,
  packages: string[],
  opened: OpenedTarget,
  ctx: OneContext,
): Promise<PreparedSysroot> {
  const triple = target.spec.triple;
  const o = await overlayFor(request(triple, packages, ctx), opened, 'sysroot packages', ctx);
  const base = planSysroot(plan);
  // The toolchain's files win: its loader and libc are what the binary is linked against.
  const sources = [...(base ? [fs.realpathSync(base)] : []), fs.realpathSync(o.dir)];
  const { merged, ...wrappers } = mergedSysroot(target, plan, sources, o.key, ctx);
  const t = opened.timings;
  ctx.log.info(
    `${triple}: InRelease ${t.inrelease} ms, indexes ${t.indexes} ms, resolve ${t.resolve} ms${t.debs !== undefined ? `, .debs ${t.debs} ms, unpack ${t.unpack} ms` : ''}`,
  );
  return {
    triple,
    dir: merged,
    ...wrappers,
    overlay: o.dir,
    resolved: o.resolved,
    packages: o.packages,
    origin: o.origin,
    key: o.key,
    timings: { ...t },
  };
}

/**
 * The runtime packages resolved in full (the toolchain's glibc is what they replace, so
 * nothing is left out), over the `sysroot-packages` overlay, as qemu's `-L` root; and whether
 * the board's CPU can run that libc at all, judged from its loader's and libc's attributes.
 */
async function prepareRuntime(
  target: ResolvedTarget,
  runtime: readonly string[],
  opened: OpenedTarget,
  packages: PreparedSysroot | null,
  ctx: OneContext,
): Promise<PreparedRuntime> {
  const triple = target.spec.triple;
  const o = await overlayFor(request(triple, runtime, ctx, []), opened, 'Pi OS runtime', ctx);
  const rootDir = path.join(ctx.dir(), `${triple}-run`);
  // The runtime wins: its loader and libc are the Pi's, whatever the toolchain linked against.
  const sources = [
    fs.realpathSync(o.dir),
    ...(packages ? [fs.realpathSync(packages.overlay)] : []),
  ];
  fs.mkdirSync(rootDir);
  mergeTrees(rootDir, sources);
  const files = runtimeFiles(target).map((rel) => ({
    name: rel,
    attributes: armAttributesIn(rootDir, rel, sources),
  }));
  const libc = o.resolved.find((r) => r.startsWith(`${runtime[0]}=`)) ?? runtime.join(' ');
  const suites = opened.suites
    .filter((s) => !s.source.optional)
    .map((s) => `${s.source.label} ${s.source.suite}`);
  const verdict = runtimeVerdict(files, {
    level: target.spec.cpu,
    boardCpu: target.qemuCpu,
    fallbackCpu: ARMV7_LIBC_CPU,
    what: `${libc} from the ${suites.join(', ')}`,
    root: rootDir,
    mirrored: ctx.mirror !== null,
  });
  return {
    triple,
    root: rootDir,
    resolved: o.resolved,
    origin: o.origin,
    cpu: verdict.cpu,
    note: verdict.note,
  };
}

/** The loader and libc of `target` inside a sysroot, relative to it. */
function runtimeFiles(target: ResolvedTarget): string[] {
  const loader = target.spec.interpreter?.replace(/^\/+/, '');
  return [...(loader ? [loader] : []), `lib/${target.spec.gccTriple}/libc.so.6`];
}

/**
 * The build attributes of `rel` in the merged `root`, following its links only inside the
 * overlays it is made of; null when it is missing, leaves them, or is no ARM ELF.
 */
function armAttributesIn(
  root: string,
  rel: string,
  sources: readonly string[],
): ArmAttributes | null | 'missing' {
  let real: string;
  try {
    real = fs.realpathSync(path.join(root, rel));
  } catch {
    return 'missing';
  }
  if (!sources.some((s) => !path.relative(s, real).startsWith('..'))) return 'missing';
  try {
    return parseElf(fs.readFileSync(real)).armAttributes;
  } catch {
    return null;
  }
}

interface Merged {
  merged: string;
  cc: string;
  cxx: string | null;
}

/**
 * The merged dir and its wrappers. Kept in the tool cache beside the overlay when that path
 * has no whitespace (gcc --sysroot, pkg-config's output and cargo's RUNNER split at it): the
 * same paths every run, so cargo, and a target/ dir restored by a cache step, do not rebuild
 * every -sys crate because CC changed. Otherwise (or when another job is making it right now)
 * in this run's private directory.
 */
function mergedSysroot(
  target: ResolvedTarget,
  plan: LinkPlan,
  sources: readonly string[],
  key: string,
  ctx: OneContext,
): Merged {
  const triple = target.spec.triple;
  // What the merged dir and wrappers are made of; not the zig wrappers' per-run directory.
  const compiler =
    plan.kind === 'gcc'
      ? [plan.layout.binPrefix, plan.tools.cxx]
      : plan.kind === 'zig'
        ? [plan.zig, plan.target, plan.cpu, plan.version, ctx.zigRuntime]
        : [];
  const tag = sha256Hex(Buffer.from(JSON.stringify([sources, compiler]))).slice(0, 16);
  const stable = path.join(ctx.root, triple, `${key}-merged-${tag}`);
  const done = path.join(stable, 'merged.json');
  if (!/[\s"']/.test(stable)) {
    try {
      return JSON.parse(fs.readFileSync(done, 'utf8')) as Merged;
    } catch {
      // not made yet (or a job died making it): made below
    }
    const staging = `${stable}.partial-${process.pid}-${Date.now()}`;
    try {
      fs.mkdirSync(staging, { mode: 0o700 });
      // Written with their final paths: the links and wrappers name `stable`, not `staging`.
      buildMerged(target, sources, path.join(staging, 'root'), path.join(stable, 'root'), ctx);
      fs.renameSync(staging, stable);
      const m = writeCompilerWrappers(
        target,
        plan,
        path.join(stable, 'root'),
        path.join(stable, 'bin'),
        ctx,
      );
      const out = { merged: path.join(stable, 'root'), ...m };
      fs.writeFileSync(done, JSON.stringify(out));
      return out;
    } catch (err) {
      ctx.log.debug(`${triple}: merged sysroot not kept in the tool cache: ${errorMessage(err)}`);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  const dir = ctx.dir();
  const merged = path.join(dir, triple);
  buildMerged(target, sources, merged, merged, ctx);
  const bin = path.join(dir, `${triple}-bin`);
  fs.mkdirSync(bin, { mode: 0o700 });
  return { merged, ...writeCompilerWrappers(target, plan, merged, bin, ctx) };
}

function buildMerged(
  target: ResolvedTarget,
  sources: readonly string[],
  at: string,
  final: string,
  ctx: OneContext,
): void {
  fs.mkdirSync(at);
  for (const s of mergeTrees(at, sources))
    ctx.log.debug(`${target.spec.triple} merged sysroot ${final}: ${s} is shadowed`);
}

function writeCompilerWrappers(
  target: ResolvedTarget,
  plan: LinkPlan,
  merged: string,
  bin: string,
  ctx: OneContext,
): { cc: string; cxx: string | null } {
  const triple = target.spec.triple;
  if (plan.kind === 'gcc') {
    fs.mkdirSync(bin, { recursive: true, mode: 0o700 });
    const write = (name: string, real: string): string => {
      const p = path.join(bin, name);
      fs.writeFileSync(p, compilerWrapper(real, gccSysrootArgs(merged)), { mode: 0o700 });
      return p;
    };
    const p = plan.layout.binPrefix;
    return { cc: write('cc', `${p}gcc`), cxx: plan.tools.cxx ? write('c++', `${p}g++`) : null };
  }
  if (plan.kind === 'zig') {
    const config = JSON.parse(
      fs.readFileSync(path.join(plan.wrappers.dir, 'cc.json'), 'utf8'),
    ) as WrapperConfig;
    const base = { zig: config.zig, target: config.target, cpu: config.cpu, rules: config.rules };
    const w = writeWrappers(
      bin,
      triple,
      { ...base, sysroot: zigSysroot(merged, target.spec.gccTriple) },
      ctx.zigRuntime,
    );
    return { cc: w.cc, cxx: w.cxx };
  }
  // inputs.ts refuses sysroot-packages for musl targets, the only ones rust-lld links.
  throw new Error(`internal: sysroot-packages for ${triple}, linked by ${plan.kind}`);
}

/**
 * After the stage, what each target reports: qemu's -L for the user's own steps (the runtime,
 * else the merged sysroot) and, with a runtime, how it runs. A zig-linked target without one
 * says only now why its smoke run is not under the board's CPU: a runtime may have made that moot.
 */
export function adoptSysroots(
  prepared: PreparedSysroots,
  plans: ReadonlyMap<string, LinkPlan>,
  uses: ToolchainUse[],
  log: Log,
): void {
  for (const use of uses) {
    const run = prepared.runtimes.get(use.triple);
    const merged = prepared.sysroots.get(use.triple);
    if (run) {
      use.note = run.note;
      use.sysroot = run.root;
      continue;
    }
    if (merged) use.sysroot = merged.dir;
    const plan = plans.get(use.triple);
    if (plan?.kind === 'zig' && plan.runCpu && use.note)
      log.warning(`${use.triple}: ${use.note}`, 'smoke run CPU');
  }
}
