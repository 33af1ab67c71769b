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
import { makeSpaceFreePrivateDir } from '../tempdir.js';
import { restoreCachedDir, saveCachedDir } from '../toolchain/actions-cache.js';
import type { WrapperConfig } from '../zig/command.js';
import { writeWrappers } from '../zig/wrappers.js';
import { suiteSources } from './archives.js';
import {
  downloadDebs,
  loadIndexes,
  openSuites,
  resolveRequest,
  unpackAll,
  type ClientDeps,
  type IndexCache,
} from './client.js';
import { httpFetcher, type Fetcher } from './fetch.js';
import { userTrust, type KeyCache, type Trust } from './keys.js';
import { mergeTrees } from './merge.js';
import { sha256Hex } from './packages.js';
import {
  compilerWrapper,
  gccSysrootArgs,
  packagesFor,
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

/** Every target's merged sysroot, by triple; empty when no package is asked for. */
export async function prepareSysroots(
  inputs: ActionInputs,
  plans: ReadonlyMap<string, LinkPlan>,
  ctx: SysrootContext,
): Promise<Map<string, PreparedSysroot>> {
  const out = new Map<string, PreparedSysroot>();
  const sys = inputs.sysroot;
  if (!sys) return out;
  const trust = sys.keyring ? await readTrust(sys.keyring) : null;
  const root = path.join(ctx.toolCacheDir, 'rpi-cross-sysroot');
  const deps: ClientDeps = {
    fetch:
      ctx.fetch ??
      httpFetcher({ attempts: 3, backoffMs: 2000, socketTimeoutMs: inputs.downloadTimeoutMs }),
    log: ctx.log,
    now: ctx.now,
    indexCache: fileCache(
      path.join(root, 'indexes'),
      ctx.log,
      (name, body) => sha256Hex(body) === name,
    ),
    // Re-filtered by the pinned fingerprints when read: a replaced file only means a new fetch.
    keyCache: fileCache(path.join(root, 'keys'), ctx.log, () => true),
  };
  // gcc --sysroot, pkg-config's output and qemu's -L all go through paths split at spaces.
  let dir: string | null = null;
  const runDir = (): string => (dir ??= makeSpaceFreePrivateDir(ctx.workDir, 'rpi-cross-sysroot-'));
  for (const target of inputs.targets) {
    const triple = target.spec.triple;
    const packages = packagesFor(sys, triple);
    if (packages.length === 0) continue;
    const plan = plans.get(triple);
    if (!plan) throw new Error(`internal: no link plan for ${triple}`);
    const prepared = await prepareOne(target, plan, packages, {
      ...ctx,
      deps,
      trust,
      mirror: sys.mirror,
      piOs: inputs.piOs,
      cache: inputs.cache,
      root,
      dir: runDir,
    });
    ctx.log.info(`${triple}: sysroot packages ${prepared.resolved.join(' ')} (${prepared.origin})`);
    ctx.log.info(`${triple}: merged sysroot ${prepared.dir}`);
    out.set(triple, prepared);
  }
  return out;
}

async function readTrust(file: string): Promise<Trust> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new ActionError(`cannot read 'sysroot-keyring' ${file}: ${errorMessage(err)}`, WHERE);
  }
  return userTrust(bytes, file);
}

/**
 * Small files kept in the tool cache by name, checked when read (indexes: re-hashed against
 * their name, the sha256 the InRelease lists): a damaged entry is a miss, not an error.
 */
function fileCache(
  dir: string,
  log: Log,
  valid: (name: string, body: Buffer) => boolean,
): IndexCache & KeyCache {
  return {
    get(name) {
      try {
        const body = fs.readFileSync(path.join(dir, name));
        return valid(name, body) ? body : null;
      } catch {
        return null;
      }
    },
    put(name, body) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        const tmp = path.join(dir, `${name}.partial-${process.pid}`);
        fs.writeFileSync(tmp, body);
        fs.renameSync(tmp, path.join(dir, name));
      } catch (err) {
        log.debug(`${path.basename(dir)} cache: cannot keep ${name}: ${errorMessage(err)}`);
      }
    },
  };
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

async function prepareOne(
  target: ResolvedTarget,
  plan: LinkPlan,
  packages: string[],
  ctx: OneContext,
): Promise<PreparedSysroot> {
  const triple = target.spec.triple;
  const req = { triple, piOs: ctx.piOs, packages, mirror: ctx.mirror, trust: ctx.trust };
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };
  const suites = await time('inrelease', () => openSuites(req, ctx.deps));
  const opened = new Set(suites.map((s) => `${s.source.archive}/${s.source.suite}`));
  const skipped = suiteSources(triple, ctx.piOs, ctx.mirror)
    .filter((s) => !opened.has(`${s.archive}/${s.suite}`))
    .map((s) => `${s.label} ${s.suite}`);
  const indexes = await time('indexes', () => loadIndexes(req, suites, ctx.deps));
  const resolution = await time('resolve', async () => resolveRequest(req, indexes, skipped));
  const resolved = resolution.packages.map((p) => `${p.name}=${p.version}`);
  const key = sysrootCacheKey(
    triple,
    [...opened],
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
      if (ctx.cache) await saveCachedDir(entry, key, ctx.log, `the ${triple} sysroot packages`);
    }
  }
  const packageFiles = JSON.parse(fs.readFileSync(manifest, 'utf8')) as PackageFiles[];
  const base = planSysroot(plan);
  // The toolchain's files win: its loader and libc are what the binary is linked against.
  const sources = [...(base ? [fs.realpathSync(base)] : []), fs.realpathSync(overlay)];
  const { merged, ...wrappers } = mergedSysroot(target, plan, sources, key, ctx);
  ctx.log.info(
    `${triple}: InRelease ${timings.inrelease} ms, indexes ${timings.indexes} ms, resolve ${timings.resolve} ms${timings.debs !== undefined ? `, .debs ${timings.debs} ms, unpack ${timings.unpack} ms` : ''}`,
  );
  return {
    triple,
    dir: merged,
    ...wrappers,
    overlay,
    resolved,
    packages: packageFiles,
    origin,
    key,
    timings,
  };
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
