/**
 * When cargo fails because a C library's .pc, header or .so is missing from the sysroot, the
 * error names the Debian package that provides it, found in the target's own archive: the
 * verified InRelease, then the `Contents-<arch>` index it lists (checked against it, cached by
 * its SHA256 like the Packages indexes), scanned for those files only. An archive without
 * Contents gets a guess by name from its Packages index, said to be one. Best effort and
 * bounded: whatever goes wrong, the original error is thrown unchanged.
 */
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { CargoFailed } from '../cargo/build.js';
import { errorMessage } from '../errors.js';
import type { ActionInputs } from '../inputs.js';
import type { Log } from '../log.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import { ARCHIVES } from './archives.js';
import { loadIndexes, openSuites, type IndexCache, type OpenedSuite } from './client.js';
import {
  ContentsScanner,
  chooseProvider,
  guessByName,
  wantedFiles,
  type Provider,
  type Wanted,
} from './contents.js';
import type { ReleaseFile } from './deb822.js';
import { indexCache, keyCache, sysrootCacheRoot } from './file-cache.js';
import { httpFetcher, type Fetcher } from './fetch.js';
import { keyringTrust } from './keys.js';
import { checkBytes } from './packages.js';
import { packagesFor } from './plan.js';

/** The whole lookup, fetches included; past it the build's error goes out as it was. */
export const HINT_BUDGET_MS = 60_000;

export interface HintContext {
  inputs: Pick<ActionInputs, 'targets' | 'piOs' | 'sysroot' | 'downloadTimeoutMs'>;
  /** Per triple, what the sysroot stage resolved (`name=version`; none without it). */
  sysroots: ReadonlyMap<string, { readonly resolved: readonly string[] }>;
  toolCacheDir: string;
  log: Log;
  fetch?: Fetcher;
  now?: () => Date;
  budgetMs?: number;
}

/**
 * Throws `err` again, with a line per missing file naming its package when `err` is a cargo
 * failure that says a file is missing and the lookup answers in time.
 */
export async function withSysrootHint(err: unknown, ctx: HintContext): Promise<never> {
  if (!(err instanceof CargoFailed)) throw err;
  const wanted = wantedFiles(err.stderr);
  const targets = failedTargets(err.stderr, ctx.inputs.targets);
  if (wanted.length === 0 || targets.length === 0) throw err;
  let lines: string[] = [];
  const t0 = performance.now();
  try {
    lines = await withDeadline(ctx.budgetMs ?? HINT_BUDGET_MS, () =>
      hintLines(wanted, targets, ctx),
    );
  } catch (e) {
    ctx.log.info(`no package hint for the missing ${names(wanted)}: ${errorMessage(e)}`);
  }
  ctx.log.debug(`package hint: ${Math.round(performance.now() - t0)} ms`);
  if (lines.length === 0) throw err;
  throw new CargoFailed(`${err.message}\n${lines.join('\n')}`, err.where ?? 'build', err.stderr);
}

const names = (wanted: readonly Wanted[]): string => wanted.map((w) => w.what).join(', ');

/**
 * The targets with a Pi OS archive the failure is about: those it names (cargo prints the
 * triple or the multiarch dir in paths), or all of them when it names none.
 */
function failedTargets(output: string, targets: readonly ResolvedTarget[]): ResolvedTarget[] {
  const known = targets.filter((t) => ARCHIVES.targets[t.spec.triple]);
  const named = known.filter(
    (t) => output.includes(t.spec.triple) || output.includes(`/${t.spec.gccTriple}/`),
  );
  return named.length ? named : known;
}

function withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    // A request still hanging must not keep the process alive: its own idle timeout ends it.
    timer.unref();
  });
  return Promise.race([fn(), late]).finally(() => clearTimeout(timer));
}

async function hintLines(
  wanted: readonly Wanted[],
  targets: readonly ResolvedTarget[],
  ctx: HintContext,
): Promise<string[]> {
  const sys = ctx.inputs.sysroot;
  const trust = sys?.keyring ? keyringTrust(sys.keyring) : null;
  const fetch =
    ctx.fetch ??
    httpFetcher({
      attempts: 2,
      backoffMs: 1000,
      socketTimeoutMs: Math.min(ctx.inputs.downloadTimeoutMs, 30_000),
    });
  const root = sysrootCacheRoot(ctx.toolCacheDir);
  const cache = indexCache(root, ctx.log);
  const keys = keyCache(root, ctx.log);
  // The stage already said what it had to about these archives: here its notices are noise.
  const quiet: Log = {
    ...ctx.log,
    info: (m) => ctx.log.debug(m),
    warning: (m) => ctx.log.debug(m),
  };
  const out: string[] = [];
  for (const target of targets) {
    const triple = target.spec.triple;
    const req = {
      triple,
      piOs: ctx.inputs.piOs,
      packages: [],
      mirror: sys?.mirror ?? null,
      trust: await trust,
    };
    const deps = { fetch, log: quiet, now: ctx.now, indexCache: cache, keyCache: keys };
    const suites = await openSuites(req, deps);
    const found = await searchContents(suites, wanted, target.spec.gccTriple, deps, ctx.log);
    const asked = sys ? packagesFor(sys, triple) : [];
    const have = new Set(
      (ctx.sysroots.get(triple)?.resolved ?? []).map((nv) => nv.slice(0, nv.indexOf('='))),
    );
    const prefix = targets.length > 1 ? `${triple}: ` : '';
    // glibc's packages come with the toolchain (resolution drops them): asking for them is no fix.
    const toolchain = new Set(ARCHIVES.toolchainProvides);
    if (found) {
      for (const w of wanted) {
        const f = found.get(w);
        if (f && !toolchain.has(f.provider.package))
          out.push(prefix + providerLine(f.provider, f.suite, have, asked));
      }
      continue;
    }
    // No Contents anywhere: a guess from the Packages index (cached by the stage's run).
    const indexes = await loadIndexes(req, suites, deps);
    const all = new Set(indexes.flatMap((i) => [...i.names()]));
    for (const w of wanted) {
      const guess = guessByName(w, all).filter((n) => !have.has(n) && !toolchain.has(n));
      if (guess.length === 0) continue;
      const where = suites[0] ? suiteLabel(suites[0]) : ctx.inputs.piOs;
      out.push(
        `${prefix}the sysroot lacks ${w.what}: probably ${addLine(guess[0] as string, asked)} (${where}: no Contents index to be sure; by name: ${guess.slice(0, 5).join(', ')})`,
      );
    }
  }
  return out;
}

const suiteLabel = (s: OpenedSuite): string =>
  `${s.source.label} ${s.source.suite} ${s.source.debArch}`;

function addLine(pkg: string, asked: readonly string[]): string {
  return asked.length === 0
    ? `add 'sysroot-packages: ${pkg}'`
    : `add ${pkg} to 'sysroot-packages' (sysroot-packages: ${[...asked, pkg].join(' ')})`;
}

function providerLine(
  p: Provider,
  suite: OpenedSuite,
  have: ReadonlySet<string>,
  asked: readonly string[],
): string {
  const source = `${suiteLabel(suite)}, package ${p.package} provides ${p.path}`;
  if (!have.has(p.package)) {
    return `the sysroot lacks ${p.wanted.what}: ${addLine(p.package, asked)} (${source})`;
  }
  const how =
    p.file.kind === 'pc'
      ? "pkg-config did not look there: check the build's PKG_CONFIG_PATH/PKG_CONFIG_LIBDIR/PKG_CONFIG_SYSROOT_DIR (for the target) and that nothing overrides the ones this action exports"
      : p.file.kind === 'header'
        ? 'the compiler did not look there: check that the build uses the CC this action exports (its wrapper passes the sysroot) and does not set its own include path'
        : 'the linker did not look there: check that the build links with the linker this action exports (its wrapper passes the sysroot)';
  return `the sysroot has ${p.package} (${source}), yet ${p.wanted.what} was not found: ${how}`;
}

interface Found {
  provider: Provider;
  suite: OpenedSuite;
}

/**
 * Scans the Contents index of each suite and component in order, until every wanted file has
 * a package. Null when no suite publishes one (then a guess by name is all there is).
 */
async function searchContents(
  suites: readonly OpenedSuite[],
  wanted: readonly Wanted[],
  multiarch: string,
  deps: { fetch: Fetcher; indexCache: IndexCache },
  log: Log,
): Promise<Map<Wanted, Found> | null> {
  const found = new Map<Wanted, Found>();
  let any = false;
  for (const suite of suites) {
    for (const component of suite.source.components) {
      const todo = wanted.filter((w) => !found.has(w));
      if (todo.length === 0) return found;
      const choice = contentsChoice(suite.release.files, component, suite.source.debArch);
      if (!choice) continue;
      const t0 = performance.now();
      const dir = `${suite.source.base}/dists/${suite.source.suite}`;
      let body = deps.indexCache.get(choice.entry.sha256);
      const cached = body !== null;
      if (!body) {
        const byHash = `${dir}/${component}/by-hash/SHA256/${choice.entry.sha256}`;
        const urls = suite.release.acquireByHash
          ? [byHash, `${dir}/${choice.path}`]
          : [`${dir}/${choice.path}`];
        for (const url of urls) if ((body = await deps.fetch(url))) break;
      }
      if (!body) {
        log.debug(`${suiteLabel(suite)}: ${choice.path} is listed but not there (404)`);
        continue;
      }
      const t1 = performance.now();
      const scanner = new ContentsScanner(todo, multiarch);
      try {
        checkBytes(body, choice.entry, choice.path);
        await scan(body, choice, scanner);
      } catch (err) {
        // Unverified bytes name no package: this index is skipped, the others still count.
        log.debug(`${suiteLabel(suite)}: ${choice.path} not used: ${errorMessage(err)}`);
        continue;
      }
      if (!cached) deps.indexCache.put(choice.entry.sha256, body);
      any = true;
      const hits = scanner.end();
      for (const w of todo) {
        const provider = chooseProvider(w, hits, multiarch);
        if (provider) found.set(w, { provider, suite });
      }
      log.info(
        `${suiteLabel(suite)}: ${choice.path} (${(body.length / 1e6).toFixed(1)} MB${cached ? ', cached' : `, fetched in ${Math.round(t1 - t0)} ms`}) scanned for ${names(todo)} in ${Math.round(performance.now() - t1)} ms`,
      );
    }
  }
  return any ? found : null;
}

interface ContentsChoice {
  path: string;
  entry: ReleaseFile;
  gz: boolean;
  plain: ReleaseFile | null;
}

/** `<component>/Contents-<arch>.gz` where InRelease lists it, else the plain file. */
export function contentsChoice(
  files: ReadonlyMap<string, ReleaseFile>,
  component: string,
  arch: string,
): ContentsChoice | null {
  const stem = `${component}/Contents-${arch}`;
  const plain = files.get(stem) ?? null;
  const gz = files.get(`${stem}.gz`);
  if (gz) return { path: `${stem}.gz`, entry: gz, gz: true, plain };
  return plain ? { path: stem, entry: plain, gz: false, plain: null } : null;
}

/** Streams the (verified) index through the scanner, and checks the decompressed bytes too. */
async function scan(body: Buffer, choice: ContentsChoice, scanner: ContentsScanner): Promise<void> {
  if (!choice.gz) {
    for (let i = 0; i < body.length; i += 1 << 20) scanner.push(body.subarray(i, i + (1 << 20)));
    return;
  }
  const hash = createHash('sha256');
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
    gunzip.on('data', (c: Buffer) => {
      hash.update(c);
      size += c.length;
      scanner.push(c);
    });
    gunzip.on('end', resolve);
    gunzip.on('error', reject);
    gunzip.end(body);
  });
  const want = choice.plain;
  if (want && (size !== want.size || hash.digest('hex') !== want.sha256)) {
    throw new Error(`${choice.path} once decompressed does not match its InRelease entry`);
  }
}
