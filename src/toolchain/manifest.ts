/**
 * The pinned cross-toolchain manifest: types, the bundled data and its validation. The data lives
 * in manifest.json so that adding a toolchain is a data change; every checksum in it must come from
 * a published source named in `checksumSource` (see docs/toolchains.md).
 */
import rawManifest from './manifest.json' with { type: 'json' };
import { TARGETS, type CpuLevel, type TargetSpec } from '../targets/table.js';

/** A gcc cross toolchain serves the targets it lists; one zig distribution serves them all. */
export type ToolchainKind = 'gcc' | 'zig';
export type ToolchainLibc = 'glibc' | 'musl';
export type ArchiveFormat = 'tar.gz' | 'tar.xz' | 'tar.bz2' | 'zip';
/** `process.platform` / `process.arch` values of a machine that can run the toolchain. */
export type HostOs = 'linux' | 'darwin' | 'win32';
export type HostArch = 'x64' | 'arm64';

export interface HostSpec {
  readonly os: HostOs;
  readonly arch: HostArch;
}

export interface ToolchainLayout {
  /** Binaries are `bin/<prefix>-gcc` etc. below the archive's single top-level folder. */
  readonly prefix: string;
  /** Relative to the same folder. */
  readonly sysroot: string;
}

export interface GccToolchainEntry {
  readonly id: string;
  readonly kind: 'gcc';
  readonly vendor: string;
  readonly release: string;
  readonly hosts: readonly HostSpec[];
  /** Rust triples whose binaries this toolchain links correctly (CPU level and libc included). */
  readonly targets: readonly string[];
  /** ARM level its crt objects, libgcc and libc were built for. */
  readonly cpu: CpuLevel;
  readonly libc: ToolchainLibc;
  readonly libcVersion: string;
  readonly gccVersion: string;
  readonly url: string;
  readonly mirrors: readonly string[];
  readonly sha256: string;
  readonly format: ArchiveFormat;
  readonly layout: ToolchainLayout;
  /** Where the pinned sha256 was published (repo and file), so it can be re-checked. */
  readonly checksumSource: string;
}

/** A zig release for one host: its `zig cc` links every target, at any glibc floor. */
export interface ZigToolchainEntry {
  readonly id: string;
  readonly kind: 'zig';
  readonly vendor: string;
  /** The zig version, as `zig version` prints it. */
  readonly release: string;
  readonly hosts: readonly HostSpec[];
  readonly url: string;
  readonly mirrors: readonly string[];
  readonly sha256: string;
  readonly format: ArchiveFormat;
  readonly checksumSource: string;
}

export type ToolchainEntry = GccToolchainEntry | ZigToolchainEntry;

export function gccToolchains(m: Manifest): GccToolchainEntry[] {
  return m.toolchains.filter((e): e is GccToolchainEntry => e.kind === 'gcc');
}

export function zigToolchains(m: Manifest): ZigToolchainEntry[] {
  return m.toolchains.filter((e): e is ZigToolchainEntry => e.kind === 'zig');
}

export interface Manifest {
  readonly schema: 1;
  readonly toolchains: readonly ToolchainEntry[];
}

export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ['tar.gz', 'tar.xz', 'tar.bz2', 'zip'];
const KINDS: readonly ToolchainKind[] = ['gcc', 'zig'];
const LIBCS: readonly ToolchainLibc[] = ['glibc', 'musl'];
const CPU_LEVELS: readonly CpuLevel[] = ['v6', 'v7', 'v8'];
const HOST_OSES: readonly HostOs[] = ['linux', 'darwin', 'win32'];
const HOST_ARCHES: readonly HostArch[] = ['x64', 'arm64'];

const SHA256 = /^[0-9a-f]{64}$/;
const VERSION = /^\d+(\.\d+)*$/;
const ID = /^[a-z0-9][a-z0-9._-]*$/;

/** The toolchain libc a Rust target's libc needs. */
export const TOOLCHAIN_LIBC: Readonly<Record<TargetSpec['libc'], ToolchainLibc>> = {
  gnu: 'glibc',
  musl: 'musl',
};

/**
 * Whether code built for `level` runs on the target's oldest board. ARMv7 crt objects or libgcc in
 * an ARMv6 binary crash a Pi Zero with SIGILL, so a 32-bit toolchain must not be newer than the
 * target; 32-bit and 64-bit levels never mix.
 */
export function cpuServes(level: CpuLevel, target: TargetSpec): boolean {
  if (target.arch === 'aarch64') return level === 'v8';
  return level !== 'v8' && CPU_LEVELS.indexOf(level) <= CPU_LEVELS.indexOf(target.cpu);
}

let cached: Manifest | undefined;

/** The bundled manifest, validated once per process. */
export function loadManifest(): Manifest {
  cached ??= validateManifest(rawManifest);
  return cached;
}

/** Checks the whole manifest and throws one error listing every problem found. */
export function validateManifest(data: unknown): Manifest {
  const problems = manifestProblems(data);
  if (problems.length > 0) {
    throw new Error(`toolchain manifest is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  // Every field the types promise was checked above.
  return data as Manifest;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function manifestProblems(data: unknown): string[] {
  if (!isObj(data)) return ['the manifest is not a JSON object'];
  if (data.schema !== 1) return [`unsupported schema ${JSON.stringify(data.schema)} (expected 1)`];
  if (!Array.isArray(data.toolchains)) return ['"toolchains" is not an array'];
  const entries: unknown[] = data.toolchains;
  const problems = entries.flatMap((e, i) =>
    entryProblems(e).map((p) => `toolchains[${i}]${entryLabel(e)}: ${p}`),
  );
  return [...problems, ...duplicateIdProblems(entries)];
}

function entryLabel(e: unknown): string {
  return isObj(e) && typeof e.id === 'string' ? ` (${e.id})` : '';
}

function duplicateIdProblems(entries: readonly unknown[]): string[] {
  const ids = entries.map((e) => (isObj(e) ? e.id : undefined)).filter((id) => id !== undefined);
  const dups = ids.filter((id, i) => ids.indexOf(id) !== i);
  return [...new Set(dups)].map((id) => `duplicate toolchain id ${JSON.stringify(id)}`);
}

function entryProblems(e: unknown): string[] {
  if (!isObj(e)) return ['is not an object'];
  if (e.kind === 'zig') return zigEntryProblems(e);
  return [
    ...identityProblems(e),
    ...hostProblems(e.hosts),
    ...targetProblems(e),
    ...downloadProblems(e),
    ...layoutProblems(e.layout),
  ];
}

/** zig has no target list, CPU level, libc or layout: `zig cc -target` chooses all of them. */
function zigEntryProblems(e: Obj): string[] {
  return [
    ...matching(e, 'id', ID, 'lower-case letters, digits, ".", "_" or "-"'),
    ...nonEmpty(e, 'vendor'),
    ...matching(e, 'release', ZIG_VERSION, 'a zig version like 0.11.0'),
    ...hostProblems(e.hosts),
    ...downloadProblems(e),
  ];
}

const ZIG_VERSION = /^\d+\.\d+\.\d+(-dev\.\d+\+[0-9a-f]+)?$/;

function show(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v);
}

function nonEmpty(e: Obj, key: string): string[] {
  const v = e[key];
  return typeof v === 'string' && v.trim() !== '' ? [] : [`${key} must be a non-empty string`];
}

function matching(e: Obj, key: string, re: RegExp, what: string): string[] {
  const v = e[key];
  return typeof v === 'string' && re.test(v) ? [] : [`${key} must be ${what}, got ${show(v)}`];
}

function oneOf<T>(e: Obj, key: string, allowed: readonly T[]): string[] {
  const v = e[key];
  return allowed.includes(v as T)
    ? []
    : [`${key} must be one of ${allowed.join(', ')}, got ${show(v)}`];
}

function identityProblems(e: Obj): string[] {
  return [
    ...matching(e, 'id', ID, 'lower-case letters, digits, ".", "_" or "-"'),
    ...oneOf(e, 'kind', KINDS),
    ...nonEmpty(e, 'vendor'),
    ...nonEmpty(e, 'release'),
    ...oneOf(e, 'cpu', CPU_LEVELS),
    ...oneOf(e, 'libc', LIBCS),
    ...matching(e, 'libcVersion', VERSION, 'a dotted version like 2.31'),
    ...matching(e, 'gccVersion', VERSION, 'a dotted version like 9 or 8.3'),
  ];
}

function hostProblems(hosts: unknown): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0) return ['hosts must be a non-empty array'];
  return hosts.flatMap((h: unknown, i) =>
    isObj(h)
      ? [...oneOf(h, 'os', HOST_OSES), ...oneOf(h, 'arch', HOST_ARCHES)].map(
          (p) => `hosts[${i}].${p}`,
        )
      : [`hosts[${i}] is not an object`],
  );
}

function targetProblems(e: Obj): string[] {
  const targets = e.targets;
  if (!Array.isArray(targets) || targets.length === 0) return ['targets must be a non-empty array'];
  return targets.flatMap((t: unknown) => oneTargetProblems(e, t));
}

function oneTargetProblems(e: Obj, triple: unknown): string[] {
  const spec = TARGETS.find((t) => t.triple === triple);
  if (!spec) return [`target ${show(triple)} is not a supported Rust target`];
  const problems: string[] = [];
  if (LIBCS.includes(e.libc as ToolchainLibc) && e.libc !== TOOLCHAIN_LIBC[spec.libc]) {
    problems.push(
      `target ${spec.triple} needs ${TOOLCHAIN_LIBC[spec.libc]}, entry has ${show(e.libc)}`,
    );
  }
  if (CPU_LEVELS.includes(e.cpu as CpuLevel) && !cpuServes(e.cpu as CpuLevel, spec)) {
    problems.push(
      `target ${spec.triple} is ARM${spec.cpu}, a ${show(e.cpu)} toolchain cannot serve it`,
    );
  }
  return problems;
}

function httpsProblems(where: string, v: unknown): string[] {
  if (typeof v !== 'string' || !URL.canParse(v) || new URL(v).protocol !== 'https:') {
    return [`${where} must be an https URL, got ${show(v)}`];
  }
  return [];
}

function downloadProblems(e: Obj): string[] {
  const mirrors = Array.isArray(e.mirrors)
    ? e.mirrors.flatMap((m: unknown, i) => httpsProblems(`mirrors[${i}]`, m))
    : ['mirrors must be an array (may be empty)'];
  return [
    ...httpsProblems('url', e.url),
    ...mirrors,
    ...matching(e, 'sha256', SHA256, '64 lower-case hex characters'),
    ...oneOf(e, 'format', ARCHIVE_FORMATS),
    ...formatMatchesUrl(e),
    ...nonEmpty(e, 'checksumSource'),
  ];
}

/** The extractor is chosen by `format`; a URL ending differently means one of them is wrong. */
function formatMatchesUrl(e: Obj): string[] {
  if (typeof e.url !== 'string' || typeof e.format !== 'string') return [];
  return e.url.endsWith(`.${e.format}`) ? [] : [`url does not end with .${e.format}`];
}

function layoutProblems(layout: unknown): string[] {
  if (!isObj(layout)) return ['layout must be an object with prefix and sysroot'];
  const sysroot = layout.sysroot;
  const relative =
    typeof sysroot === 'string' && !sysroot.startsWith('/') && !sysroot.split('/').includes('..');
  return [
    ...nonEmpty(layout, 'prefix').map((p) => `layout.${p}`),
    ...(relative && sysroot !== ''
      ? []
      : [`layout.sysroot must be a relative path, got ${show(sysroot)}`]),
  ];
}
