/**
 * The archive client: for one target and Pi OS release, fetch and verify the InRelease of each
 * archive, the Packages indexes against it, resolve the requested packages, fetch each .deb and
 * check it against the index, and only then unpack them all into an overlay directory (made in a
 * staging directory and renamed into place, so a failure leaves nothing behind).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARCHIVES, keyUrl, suiteSources, type SuiteSource } from './archives.js';
import type { Fetcher } from './fetch.js';
import { assertHasKeys, bundledTrust, publishedTrust, type KeyCache, type Trust } from './keys.js';
import {
  indexChoices,
  checkBytes,
  IntegrityError,
  openIndex,
  PackageIndex,
  type IndexChoice,
  type PackageStanza,
} from './packages.js';
import { ReleaseError, verifyInRelease, type VerifiedRelease } from './release.js';
import { resolve, ResolveError, Universe, type Resolution } from './resolve.js';
import { checkSymlinks, unpackDeb, UnpackError, type UnpackResult } from './unpack.js';
import { ActionError, InputError, errorMessage } from '../errors.js';
import type { Log } from '../log.js';

const WHERE = 'sysroot-packages';

export interface SysrootRequest {
  readonly triple: string;
  readonly piOs: string;
  readonly packages: readonly string[];
  /** `sysroot-mirror`, or null for the archives' own origins. */
  readonly mirror: string | null;
  /** `sysroot-keyring`, already read: trusted for every archive instead of the bundled keys. */
  readonly trust: Trust | null;
  /** Defaults to the toolchain sysroot's glibc packages (archives.json `toolchainProvides`). */
  readonly have?: readonly string[];
}

/**
 * Packages indexes by the SHA256 their signed InRelease lists: a suite that did not change is
 * not downloaded again. Only bytes that matched that hash are put; what is got is checked again.
 */
export interface IndexCache {
  get(sha256: string): Buffer | null;
  put(sha256: string, body: Buffer): void;
}

export interface ClientDeps {
  readonly fetch: Fetcher;
  readonly log: Log;
  readonly now?: () => Date;
  readonly indexCache?: IndexCache;
  /** The published keys of keysets with none bundled (see publishedTrust). */
  readonly keyCache?: KeyCache;
}

export interface OpenedSuite {
  readonly source: SuiteSource;
  readonly release: VerifiedRelease;
}

const inReleaseUrl = (s: SuiteSource): string => `${s.base}/dists/${s.suite}/InRelease`;
const suiteName = (s: SuiteSource): string => `${s.label} ${s.suite}`;

function fixFor(req: SysrootRequest, s: SuiteSource): string {
  if (req.trust) {
    return `check that 'sysroot-keyring' (${req.trust.description}) holds the key this mirror signs with`;
  }
  return req.mirror
    ? `if 'sysroot-mirror' re-signs the archive, set 'sysroot-keyring' to its public key; otherwise the mirror serves altered or stale files`
    : `the download was altered on the way or the archive is mid-update; retry, or set 'sysroot-mirror' to a mirror you trust (${s.base})`;
}

/** Fetches and verifies every suite's InRelease; a missing supplement is a warning. */
export async function openSuites(req: SysrootRequest, deps: ClientDeps): Promise<OpenedSuite[]> {
  const now = deps.now?.() ?? new Date();
  const out: OpenedSuite[] = [];
  for (const s of suiteSources(req.triple, req.piOs, req.mirror)) {
    const url = inReleaseUrl(s);
    let body: Buffer | null;
    try {
      body = await deps.fetch(url);
    } catch (err) {
      if (s.optional) {
        deps.log.warning(`${suiteName(s)} skipped: ${errorMessage(err)}`, WHERE);
        continue;
      }
      throw new ActionError(
        `cannot fetch the ${suiteName(s)} InRelease: ${errorMessage(err)}`,
        WHERE,
      );
    }
    if (!body) {
      if (s.optional) {
        deps.log.warning(
          `${suiteName(s)} skipped: no InRelease at ${url}; packages found only there cannot be resolved`,
          WHERE,
        );
        continue;
      }
      throw new ActionError(
        `the ${suiteName(s)} has no InRelease at ${url} (404)${req.mirror ? `; 'sysroot-mirror' must serve each archive under <url>/<archive>/ (here ${s.archive}/)` : `; is '${req.piOs}' still on this archive?`}`,
        WHERE,
      );
    }
    let trust: Trust;
    try {
      trust = req.trust ?? (await archiveTrust(s, req.mirror, deps));
    } catch (err) {
      if (!s.optional || !(err instanceof ActionError)) throw err;
      deps.log.warning(`${suiteName(s)} skipped: ${err.message}`, WHERE);
      continue;
    }
    let release: VerifiedRelease;
    try {
      release = await verifyInRelease(body.toString('utf8'), trust, s.suite, now);
    } catch (err) {
      if (!(err instanceof ReleaseError)) throw err;
      // An expired file is a stale mirror, not a key problem: the signature was good.
      const fix = err.expired
        ? req.mirror
          ? `update the mirror behind 'sysroot-mirror' (${s.base}) from the archive`
          : 'the archive host serves an old copy; retry later'
        : fixFor(req, s);
      throw new ActionError(
        `the ${suiteName(s)} InRelease (${url}) is refused: ${err.message}. Nothing was unpacked; ${fix}.`,
        WHERE,
      );
    }
    if (!release.architectures.includes(s.debArch)) {
      const msg = `the ${suiteName(s)} has no ${s.debArch} packages (Architectures: ${release.architectures.join(' ')})`;
      if (s.optional) {
        deps.log.info(`${msg}; skipped`);
        continue;
      }
      throw new ActionError(msg, WHERE);
    }
    deps.log.debug(`${suiteName(s)}: InRelease signed by ${release.signers.join(', ')}`);
    out.push({ source: s, release });
  }
  return out;
}

/** The bundled keys of `s`'s keyset, or else the key the archive publishes (pinned as well). */
async function archiveTrust(
  s: SuiteSource,
  mirror: string | null,
  deps: ClientDeps,
): Promise<Trust> {
  const bundled = await bundledTrust(s.keyset);
  if (bundled.keys.length > 0) return bundled;
  const url = keyUrl(s, mirror);
  if (!url) {
    assertHasKeys(bundled, s.label, s.keyset);
    return bundled;
  }
  return publishedTrust(s.keyset, url, deps.fetch, deps.keyCache);
}

/** Fetches each listed component's Packages index, checks it against the InRelease, indexes it. */
export async function loadIndexes(
  req: SysrootRequest,
  suites: readonly OpenedSuite[],
  deps: ClientDeps,
): Promise<PackageIndex[]> {
  const out: PackageIndex[] = [];
  for (const { source: s, release } of suites) {
    for (const component of s.components) {
      if (!release.components.includes(component)) {
        deps.log.info(`${suiteName(s)} lists no component '${component}'; skipped`);
        continue;
      }
      const choices = indexChoices(release.files, component, s.debArch);
      if (choices.length === 0) {
        deps.log.info(`${suiteName(s)} lists no ${component} index for ${s.debArch}; skipped`);
        continue;
      }
      const dir = `${s.base}/dists/${s.suite}`;
      let body: Buffer | null = null;
      let choice = choices[0] as IndexChoice;
      let cached = false;
      for (const c of choices) {
        body = deps.indexCache?.get(c.entry.sha256) ?? null;
        if (body) {
          choice = c;
          cached = true;
          break;
        }
      }
      for (const c of cached ? [] : choices) {
        // by-hash first where the archive offers it: immune to a mirror updating mid-run.
        const byHash = `${dir}/${path.posix.dirname(c.path)}/by-hash/SHA256/${c.entry.sha256}`;
        const urls = release.acquireByHash ? [byHash, `${dir}/${c.path}`] : [`${dir}/${c.path}`];
        for (const url of urls) {
          body = await deps.fetch(url).catch((err: unknown) => {
            throw new ActionError(`cannot fetch ${url}: ${errorMessage(err)}`, WHERE);
          });
          if (body) break;
        }
        choice = c;
        if (body) break;
      }
      if (!body) {
        throw new ActionError(
          `the ${suiteName(s)} InRelease lists ${choices.map((c) => c.path).join(', ')}, but none is under ${dir}/ (404): the mirror is incomplete`,
          WHERE,
        );
      }
      let text: string;
      try {
        text = await openIndex(body, choice);
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err;
        throw new ActionError(
          `the ${suiteName(s)} index ${choice.path} does not match its signed InRelease: ${err.message}. Nothing was unpacked; ${fixFor(req, s)}.`,
          WHERE,
        );
      }
      if (!cached) deps.indexCache?.put(choice.entry.sha256, body);
      out.push(new PackageIndex(text, s, component));
    }
  }
  return out;
}

export function isForeignHeaders(p: PackageStanza): boolean {
  const rule = ARCHIVES.foreignHeaders;
  return p.architecture === rule.architecture && rule.nameSuffixes.some((s) => p.name.endsWith(s));
}

/** Resolution, with errors that name the input, the archives searched and the fix. */
export function resolveRequest(
  req: SysrootRequest,
  indexes: readonly PackageIndex[],
  skippedSuites: readonly string[] = [],
): Resolution {
  const have = new Set(req.have ?? ARCHIVES.toolchainProvides);
  const where = [...new Set(indexes.map((i) => suiteName(i.source)))].join(', ') || 'no archive';
  try {
    return resolve(req.packages, new Universe(indexes), { have, keepForeign: isForeignHeaders });
  } catch (err) {
    if (!(err instanceof ResolveError)) throw err;
    const arch = indexes[0]?.source.debArch ?? '';
    if (err.unknown !== null) {
      const hint = err.suggestions.length ? ` (did you mean ${err.suggestions.join(', ')}?)` : '';
      const missing = skippedSuites.length
        ? `; not searched: ${skippedSuites.join(', ')} (not reachable)`
        : '';
      throw new InputError(
        WHERE,
        `'${err.unknown}' is not a package of ${where} for ${arch}${hint}${missing}; write a Debian binary package name of Pi OS ${req.piOs}`,
      );
    }
    throw new ActionError(
      `cannot resolve ${req.packages.join(' ')} for ${arch} from ${where}: ${err.message}`,
      WHERE,
    );
  }
}

/** An index's Filename is signed text, but still must stay below the archive's root. */
function debUrl(p: PackageStanza): string {
  const f = p.filename;
  if (f.startsWith('/') || f.includes('://') || /[?#\\]/.test(f) || f.split('/').includes('..')) {
    throw new ActionError(
      `package ${p.name} from the ${suiteName(p.source)}: unsafe Filename '${f}' in the index`,
      WHERE,
    );
  }
  return `${p.source.base}/${f}`;
}

/** Fetches every .deb and checks it against its index stanza; nothing is written. */
export async function downloadDebs(
  req: SysrootRequest,
  packages: readonly PackageStanza[],
  deps: ClientDeps,
  parallel = 4,
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < packages.length) {
      const p = packages[next++] as PackageStanza;
      const url = debUrl(p);
      const what = `package ${p.name} ${p.version} from the ${suiteName(p.source)} (${url})`;
      const body = await deps.fetch(url).catch((err: unknown) => {
        throw new ActionError(`cannot fetch ${what}: ${errorMessage(err)}`, WHERE);
      });
      if (!body) {
        throw new ActionError(
          `${what} is not there (404) although the index lists it: the mirror is incomplete or mid-sync; retry later`,
          WHERE,
        );
      }
      try {
        checkBytes(body, { size: p.size, sha256: p.sha256 }, path.posix.basename(p.filename));
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err;
        throw new ActionError(
          `${what} does not match the signed index: ${err.message}. Nothing was unpacked; ${fixFor(req, p.source)}.`,
          WHERE,
        );
      }
      out.set(p.name, body);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, packages.length) }, worker));
  return out;
}

/**
 * Unpacks verified .debs into `dest` (which must not exist yet) through a staging directory, so
 * `dest` appears complete or not at all.
 */
export async function unpackAll(
  packages: readonly PackageStanza[],
  debs: ReadonlyMap<string, Buffer>,
  dest: string,
): Promise<Map<string, UnpackResult>> {
  const staging = `${dest}.partial-${process.pid}-${Date.now()}`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.mkdirSync(staging);
  const results = new Map<string, UnpackResult>();
  try {
    const links: string[] = [];
    for (const p of packages) {
      const deb = debs.get(p.name);
      if (!deb) throw new Error(`internal: ${p.name} was not downloaded`);
      try {
        const r = await unpackDeb(deb, staging);
        links.push(...r.symlinks);
        results.set(p.name, r);
      } catch (err) {
        if (!(err instanceof UnpackError)) throw err;
        throw new ActionError(
          `package ${p.name} ${p.version} from the ${suiteName(p.source)} cannot be unpacked: ${err.message}. Nothing was kept.`,
          WHERE,
        );
      }
    }
    try {
      checkSymlinks(staging, links);
    } catch (err) {
      if (!(err instanceof UnpackError)) throw err;
      throw new ActionError(
        `the packages ${packages.map((p) => p.name).join(' ')} cannot be unpacked together: ${err.message}. Nothing was kept.`,
        WHERE,
      );
    }
    fs.renameSync(staging, dest);
    return results;
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

export interface SysrootPackages {
  resolution: Resolution;
  /** `name=version`, in resolution order: for the log, the summary and an output. */
  resolved: string[];
  /** Sorted `Filename SHA256` lines: what a cache key must cover. */
  cacheLines: string[];
  overlay: string;
  timings: Record<'inrelease' | 'indexes' | 'resolve' | 'debs' | 'unpack', number>;
}

/** The whole client: verified packages unpacked into `dest`. */
export async function fetchSysrootPackages(
  req: SysrootRequest,
  dest: string,
  deps: ClientDeps,
): Promise<SysrootPackages> {
  const t = (): number => performance.now();
  let t0 = t();
  const suites = await openSuites(req, deps);
  const inrelease = t() - t0;
  const opened = new Set(suites.map((s) => `${s.source.archive}/${s.source.suite}`));
  const skipped = suiteSources(req.triple, req.piOs, req.mirror)
    .filter((s) => !opened.has(`${s.archive}/${s.suite}`))
    .map(suiteName);
  t0 = t();
  const indexes = await loadIndexes(req, suites, deps);
  const indexTime = t() - t0;
  t0 = t();
  const resolution = resolveRequest(req, indexes, skipped);
  const resolveTime = t() - t0;
  t0 = t();
  const debs = await downloadDebs(req, resolution.packages, deps);
  const debTime = t() - t0;
  t0 = t();
  await unpackAll(resolution.packages, debs, dest);
  const unpackTime = t() - t0;
  return {
    resolution,
    resolved: resolution.packages.map((p) => `${p.name}=${p.version}`),
    cacheLines: resolution.packages.map((p) => `${p.filename} ${p.sha256}`).sort(),
    overlay: dest,
    timings: {
      inrelease,
      indexes: indexTime,
      resolve: resolveTime,
      debs: debTime,
      unpack: unpackTime,
    },
  };
}
