/**
 * Pure choice of a pinned toolchain for one target and host, plus download URL rewriting for the
 * `toolchain-mirror` input. No I/O here, so every decision is unit-testable.
 */
import {
  PI_OS,
  TARGETS,
  compareVersions,
  piOsRunningGlibc,
  type TargetSpec,
} from '../targets/table.js';
import {
  TOOLCHAIN_LIBC,
  cpuServes,
  gccToolchains,
  type GccToolchainEntry,
  type Manifest,
  type ToolchainEntry,
} from './manifest.js';

export interface ToolchainQuery {
  readonly triple: string;
  /** `process.platform` / `process.arch` of the runner. */
  readonly host: { readonly os: string; readonly arch: string };
  /** Highest glibc the binaries may need; null = no constraint. Ignored for musl targets. */
  readonly glibcFloor: string | null;
}

export type ToolchainSelection = { entry: GccToolchainEntry } | { entry: null; reason: string };

export function selectToolchain(manifest: Manifest, q: ToolchainQuery): ToolchainSelection {
  const target = TARGETS.find((t) => t.triple === q.triple);
  if (!target) {
    const known = TARGETS.map((t) => t.triple).join(', ');
    return { entry: null, reason: `Unknown target ${q.triple}; supported targets: ${known}.` };
  }
  const forTarget = gccToolchains(manifest).filter((e) => servesTarget(e, target));
  const onHost = forTarget.filter((e) => runsOn(e, q.host));
  const best = newestFirst(onHost.filter((e) => withinFloor(e, target, q.glibcFloor)))[0];
  if (best) return { entry: best };
  return { entry: null, reason: refusal(manifest, target, q, forTarget, onHost) };
}

/** Listed for the triple and built for its libc and a CPU level the oldest board can run. */
function servesTarget(e: GccToolchainEntry, target: TargetSpec): boolean {
  return (
    e.targets.includes(target.triple) &&
    e.libc === TOOLCHAIN_LIBC[target.libc] &&
    cpuServes(e.cpu, target)
  );
}

function runsOn(e: GccToolchainEntry, host: ToolchainQuery['host']): boolean {
  return e.hosts.some((h) => h.os === host.os && h.arch === host.arch);
}

/** musl binaries are static, so the Pi's glibc does not matter for them. */
function withinFloor(e: GccToolchainEntry, target: TargetSpec, floor: string | null): boolean {
  return target.libc === 'musl' || floor === null || compareVersions(e.libcVersion, floor) <= 0;
}

/**
 * Newest libc that fits gives the most features (and the fewest surprises for C code expecting
 * recent headers); newest gcc breaks ties; the id keeps the order stable.
 */
function newestFirst(entries: readonly GccToolchainEntry[]): GccToolchainEntry[] {
  return [...entries].sort(
    (a, b) =>
      compareVersions(b.libcVersion, a.libcVersion) ||
      compareVersions(b.gccVersion, a.gccVersion) ||
      a.id.localeCompare(b.id),
  );
}

function floorLabel(floor: string): string {
  const os = PI_OS.find((o) => o.glibc === floor);
  return os ? `glibc <= ${floor} (pi-os: ${os.name})` : `glibc <= ${floor}`;
}

function askedFor(target: TargetSpec, q: ToolchainQuery): string {
  const floor =
    target.libc === 'gnu' && q.glibcFloor !== null ? ` with ${floorLabel(q.glibcFloor)}` : '';
  return `No pinned toolchain fits ${target.triple} on host ${q.host.os}/${q.host.arch}${floor}.`;
}

function refusal(
  manifest: Manifest,
  target: TargetSpec,
  q: ToolchainQuery,
  forTarget: readonly GccToolchainEntry[],
  onHost: readonly GccToolchainEntry[],
): string {
  return [
    askedFor(target, q),
    ...whyNot(forTarget, onHost),
    ...twinHint(manifest, target, q),
    'You can bring your own toolchain with the `toolchain-url` and `toolchain-sha256` inputs.',
    ...(target.libc === 'musl'
      ? ['For crates without C code, `linker: rust-lld` links musl targets with no toolchain.']
      : []),
  ].join(' ');
}

function whyNot(
  forTarget: readonly GccToolchainEntry[],
  onHost: readonly GccToolchainEntry[],
): string[] {
  if (forTarget.length === 0) return ['The manifest has no toolchain for this target.'];
  if (onHost.length === 0) {
    const hosts = [...new Set(forTarget.flatMap((e) => e.hosts.map((h) => `${h.os}/${h.arch}`)))];
    return [`Its pinned toolchains run only on ${hosts.join(', ')}.`];
  }
  // Oldest workable Pi OS first: the smallest change from what was asked.
  return newestFirst(onHost).reverse().map(olderFloorHint);
}

/** Names the oldest Pi OS whose glibc the entry does not exceed. */
function olderFloorHint(e: GccToolchainEntry): string {
  const os = piOsRunningGlibc(e.libcVersion)[0];
  return os
    ? `With pi-os: ${os} (or newer) the toolchain ${e.id} (glibc ${e.libcVersion}) fits.`
    : `The toolchain ${e.id} needs glibc ${e.libcVersion}, newer than any Pi OS release.`;
}

/** A glibc floor can always be sidestepped by the static musl build of the same board. */
function twinHint(manifest: Manifest, target: TargetSpec, q: ToolchainQuery): string[] {
  if (target.libc !== 'gnu') return [];
  const twin = selectToolchain(manifest, { ...q, triple: target.twin });
  return twin.entry
    ? [`The static musl target ${target.twin} works on any Pi OS (toolchain ${twin.entry.id}).`]
    : [];
}

/**
 * Moves `url` onto `mirror`, keeping the path: mirror `https://m.example/tools` and url
 * `https://toolchains.bootlin.com/downloads/x.tar.bz2` give `https://m.example/tools/downloads/x.tar.bz2`.
 */
export function applyMirror(url: string, mirror: string): string {
  const base = parseMirror(mirror);
  const u = new URL(url);
  return `${base.href.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

function parseMirror(mirror: string): URL {
  const bad = (why: string): Error =>
    new Error(
      `toolchain-mirror must be an http(s) URL without query or fragment (${why}): ${mirror}`,
    );
  if (!URL.canParse(mirror)) throw bad('not a URL');
  const m = new URL(mirror);
  if (m.protocol !== 'https:' && m.protocol !== 'http:') throw bad(`scheme ${m.protocol}`);
  // Query or fragment would land in the middle of the rewritten URL.
  if (m.search !== '' || m.hash !== '') throw bad('has a query or fragment');
  return m;
}

/** URLs to try in order; with a mirror only mirrored ones, since the origin may be unreachable. */
export function downloadUrls(entry: ToolchainEntry, mirror?: string): string[] {
  const all = [entry.url, ...entry.mirrors];
  const urls = mirror === undefined || mirror === '' ? all : all.map((u) => applyMirror(u, mirror));
  return [...new Set(urls)];
}
