import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitArgs } from './args.js';
import { InputError, errorMessage } from './errors.js';
import { locateInside, looksLikeGlob, staysBelow, type Located } from './paths.js';
import { shown } from './show.js';
import { resolveTargets, type ResolvedTarget } from './targets/resolve.js';
import { DEFAULT_PI_OS, PI_OS, type PiOsName } from './targets/table.js';
import { INPUTS, type InputName } from './input-table.js';

export type Linker = 'auto' | 'gcc' | 'zig' | 'rust-lld';
export type Command = 'build' | 'test' | 'both';
export type VerifyMode = 'true' | 'false' | 'warn';
export type ArchiveFormat = 'tar.gz' | 'zip' | 'none';

export interface CustomToolchain {
  url: string;
  sha256: string;
  prefix: string | null;
  sysroot: string | null;
}

/** Every input, parsed and checked once. Only this module reads inputs. */
export interface ActionInputs {
  targets: ResolvedTarget[];
  piOs: PiOsName;
  /** Whether `pi-os` was written by the user (it means nothing for musl-only builds). */
  piOsExplicit: boolean;
  glibcFloor: string;
  /** GITHUB_WORKSPACE: every path input and packed file must stay inside it. */
  workspace: string;
  rustToolchain: string | null;
  linker: Linker;
  customToolchain: CustomToolchain | null;
  toolchainMirror: string | null;
  downloadTimeoutMs: number;
  cache: boolean;
  workingDirectory: string;
  manifestPath: string | null;
  packages: string[];
  bins: string[];
  features: string[];
  allFeatures: boolean;
  noDefaultFeatures: boolean;
  profile: string;
  locked: boolean;
  args: string[];
  command: Command;
  verify: VerifyMode;
  smokeTest: string[] | null;
  smokeTestTimeoutMs: number;
  strip: boolean;
  archive: ArchiveFormat;
  archiveName: string;
  /** The `include` input's files: absolute, each checked to be a file inside the workspace. */
  include: string[];
  upload: boolean;
  artifactName: string;
  retentionDays: number | null;
  /** `sysroot-packages` and its companions; null when none of them is given. */
  sysroot: SysrootInputs | null;
}

export interface SysrootInputs {
  /** Packages for every target, in the order written. */
  all: string[];
  /** `<prefix>:<package>` entries, keyed by the triple they name. */
  byTriple: Record<string, string[]>;
  mirror: string | null;
  /** Absolute path of `sysroot-keyring`, checked to be a file; read by the sysroot stage. */
  keyring: string | null;
}

/** The names action.yml declares, from the one table both front doors read. */
export const INPUT_NAMES: readonly InputName[] = INPUTS.map((i) => i.name);
export type { InputName };

/** Reads one input's raw text (core.getInput in the action, a record in tests). */
export type InputGetter = (name: InputName) => string;

export function parseInputs(get: InputGetter, workspace: string): ActionInputs {
  const text = (n: InputName): string => get(n).trim();
  const piOsText = text('pi-os');
  const piOs = oneOf(
    'pi-os',
    piOsText || DEFAULT_PI_OS,
    PI_OS.map((o) => o.name),
  );
  const targets = resolveTargets(get('target'));
  if (piOsText && targets.every((t) => t.spec.libc === 'musl')) {
    throw new InputError(
      'pi-os',
      `sets a glibc floor, but every target is musl (static, no glibc needed); remove 'pi-os' or build a gnu target`,
    );
  }
  const linker = oneOf('linker', text('linker') || 'auto', ['auto', 'gcc', 'zig', 'rust-lld']);
  const gnu = targets.filter((t) => t.spec.libc === 'gnu');
  if (linker === 'rust-lld' && gnu.length > 0) {
    throw new InputError(
      'linker',
      `'rust-lld' links only musl targets (it has no glibc start files); ${gnu.map((t) => t.spec.triple).join(', ')} ${gnu.length === 1 ? 'needs' : 'need'} 'auto', 'gcc' or 'zig'`,
    );
  }
  const workingDirectory = workingDir(text('working-directory') || '.', workspace);
  const allFeatures = bool(get, 'all-features', false);
  const features = list(text('features'));
  const noDefaultFeatures = bool(get, 'no-default-features', false);
  if (allFeatures && (features.length > 0 || noDefaultFeatures)) {
    throw new InputError(
      'all-features',
      `'all-features: true' already turns on every feature; remove 'features'/'no-default-features' or set 'all-features: false'`,
    );
  }
  return {
    targets,
    piOs,
    piOsExplicit: piOsText !== '',
    glibcFloor: (PI_OS.find((o) => o.name === piOs) as (typeof PI_OS)[number]).glibc,
    workspace,
    rustToolchain: text('rust-toolchain') || null,
    linker,
    customToolchain: customToolchain(text),
    toolchainMirror: httpUrl('toolchain-mirror', text('toolchain-mirror')),
    downloadTimeoutMs: seconds('download-timeout', text('download-timeout') || '60') * 1000,
    cache: bool(get, 'cache', true),
    workingDirectory,
    manifestPath: manifestPath(text('manifest-path'), workingDirectory, workspace),
    packages: list(text('package')),
    bins: list(text('bin')),
    features,
    allFeatures,
    noDefaultFeatures,
    profile: profile(text('profile') || 'release'),
    locked: bool(get, 'locked', false),
    args: argsInput('args', get('args')),
    command: oneOf('command', text('command') || 'build', ['build', 'test', 'both']),
    verify: oneOf('verify', text('verify') || 'true', ['true', 'false', 'warn']),
    smokeTest: text('smoke-test') ? argsInput('smoke-test', get('smoke-test')) : null,
    smokeTestTimeoutMs: seconds('smoke-test-timeout', text('smoke-test-timeout') || '30') * 1000,
    strip: bool(get, 'strip', true),
    archive: oneOf('archive', text('archive') || 'tar.gz', ['tar.gz', 'zip', 'none']),
    archiveName: text('archive-name') || '{package}-{version}-{target}',
    include: includeInput(list(text('include')), workingDirectory, workspace),
    upload: bool(get, 'upload', true),
    artifactName: text('artifact-name') || '{package}-{target}',
    retentionDays: retention(text('retention-days')),
    sysroot: sysrootInputs(text, targets, workingDirectory),
  };
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  return badChoice(input, value, allowed);
}

function badChoice(input: string, value: string, allowed: readonly string[]): never {
  throw new InputError(
    input,
    `${shown(value)} is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
  );
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function bool(get: InputGetter, input: InputName, dflt: boolean): boolean {
  const v = get(input).trim();
  if (v === '') return dflt;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new InputError(input, `${shown(v)} is not a boolean; write 'true' or 'false'`);
}

/** Comma/newline separated list; blanks dropped. */
function list(v: string): string[] {
  return v
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function argsInput(input: InputName, v: string): string[] {
  try {
    return splitArgs(v);
  } catch (err) {
    const message = errorMessage(err);
    const fix = message.includes('backslash')
      ? `remove it, or write '\\\\' for a literal backslash`
      : `close every quote, e.g. ${input === 'args' ? '--features "a b"' : '--name "a b"'}`;
    throw new InputError(input, `${message}: ${fix}`);
  }
}

function customToolchain(text: (n: InputName) => string): CustomToolchain | null {
  const url = text('toolchain-url');
  const sha256 = text('toolchain-sha256').toLowerCase();
  const prefix = text('toolchain-prefix') || null;
  const sysroot = text('toolchain-sysroot') || null;
  if (!url) {
    for (const n of ['toolchain-sha256', 'toolchain-prefix', 'toolchain-sysroot'] as const) {
      if (text(n))
        throw new InputError(
          n,
          `only applies with 'toolchain-url'; add the toolchain's URL or remove '${n}'`,
        );
    }
    return null;
  }
  httpUrl('toolchain-url', url);
  if (!sha256) {
    throw new InputError(
      'toolchain-sha256',
      `is required with 'toolchain-url' (the archive is verified before it is unpacked); write its sha256, e.g. the output of 'sha256sum <file>'`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new InputError(
      'toolchain-sha256',
      `${shown(sha256)} is not a sha256 (64 hex digits, as printed by 'sha256sum')`,
    );
  }
  if (prefix && !/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(prefix)) {
    throw new InputError(
      'toolchain-prefix',
      `${shown(prefix)} is not a tool prefix: write the part before '-gcc' of a driver in the toolchain's bin/, e.g. 'aarch64-none-linux-gnu'`,
    );
  }
  // Checked again against the unpacked tree (symlinks) once it is there.
  if (sysroot && !staysBelow(sysroot)) {
    throw new InputError(
      'toolchain-sysroot',
      `${shown(sysroot)} leaves the toolchain; write a path relative to the toolchain's folder that stays inside it, e.g. 'aarch64-linux-gnu/libc'`,
    );
  }
  return { url, sha256, prefix, sysroot };
}

function httpUrl(input: InputName, v: string): string | null {
  if (!v) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InputError(
      input,
      `${shown(v)} is not a URL; write an http(s) URL such as https://example.com/toolchain.tar.xz`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new InputError(
      input,
      `${shown(v)} uses ${u.protocol} — only http:// and https:// URLs are downloaded`,
    );
  }
  return v;
}

/** What is wrong with a path that does not resolve inside the workspace ('' when it does). */
function pathProblem(at: Located, v: string, root: string, kind: 'file' | 'directory'): string {
  if (at.ok) return '';
  switch (at.why) {
    case 'missing':
      return `${shown(v)} does not exist`;
    case 'loop':
      return `${shown(v)} is a symlink loop (its links never end at a real ${kind})`;
    case 'outside':
      return `${shown(v)} resolves to ${shown(at.real ?? '')}, outside the workspace ${shown(root)}; it must name a ${kind} inside the repository checkout`;
    case 'unreadable':
      return `${shown(v)} cannot be read (${at.detail ?? 'unknown error'})`;
  }
}

function workingDir(v: string, workspace: string): string {
  const dir = path.resolve(workspace, v);
  const at = locateInside(workspace, dir);
  const example = `give a path relative to the repository root, e.g. '.' or 'crates/app'`;
  if (!at.ok) {
    const why =
      at.why === 'missing'
        ? `directory ${shown(dir)} does not exist`
        : pathProblem(at, v, workspace, 'directory');
    throw new InputError('working-directory', `${why}; ${example}`);
  }
  if (at.kind !== 'dir') {
    throw new InputError(
      'working-directory',
      `${shown(v)} is a file, not a directory; ${example} (a Cargo.toml itself goes in 'manifest-path')`,
    );
  }
  return dir;
}

function manifestPath(v: string, cwd: string, workspace: string): string | null {
  if (!v) return null;
  const p = path.resolve(cwd, v);
  const at = locateInside(workspace, p);
  const fix = `point it at a Cargo.toml (relative to 'working-directory')`;
  if (!at.ok) {
    const why =
      at.why === 'missing' ? `${shown(p)} does not exist` : pathProblem(at, v, workspace, 'file');
    throw new InputError('manifest-path', `${why}; ${fix}`);
  }
  if (at.kind !== 'file') {
    throw new InputError('manifest-path', `${shown(v)} is not a file; ${fix}`);
  }
  return p;
}

/**
 * The `include` files: each a file inside the workspace. Directories and globs are refused up
 * front (an archive lists exactly the files named), rather than failing after the build.
 */
function includeInput(entries: readonly string[], cwd: string, workspace: string): string[] {
  const files: string[] = [];
  for (const entry of entries) {
    const p = path.resolve(cwd, entry);
    const at = locateInside(workspace, p);
    if (!at.ok && at.why === 'missing' && looksLikeGlob(entry)) {
      throw new InputError(
        'include',
        `${shown(entry)} looks like a glob; globs are not expanded: list each file, comma or newline separated`,
      );
    }
    if (!at.ok) {
      const why = pathProblem(at, entry, workspace, 'file');
      throw new InputError(
        'include',
        `${at.why === 'missing' ? `${shown(entry)} not found` : why}; paths are relative to 'working-directory'`,
      );
    }
    if (at.kind === 'dir') {
      throw new InputError(
        'include',
        `${shown(entry)} is a directory; directories are not packed: list the files in it one by one`,
      );
    }
    if (at.kind !== 'file') {
      throw new InputError('include', `${shown(entry)} is not a regular file`);
    }
    if (!files.includes(p)) files.push(p);
  }
  return files;
}

/** Debian policy's package name: lower case, digits, `+ - .`, at least two characters. */
const DEB_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * `sysroot-packages`: Debian package names, comma/space/newline separated, each optionally
 * `<target>:<name>` where the target is a triple or its architecture (`aarch64`, `armv7`, `arm`).
 */
function sysrootInputs(
  text: (n: InputName) => string,
  targets: readonly ResolvedTarget[],
  cwd: string,
): SysrootInputs | null {
  const entries = text('sysroot-packages')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (entries.length === 0) {
    const given = (['sysroot-mirror', 'sysroot-keyring'] as const).filter((n) => text(n));
    if (given.length === 0) return null;
    // Without packages the archives still serve glibc targets: the ARMv6 smoke run's Pi OS libc
    // and the missing-library hint after a failed build.
    if (!targets.some((t) => t.spec.libc === 'gnu')) {
      const n = given[0] as InputName;
      throw new InputError(
        n,
        `only applies to glibc targets (the Pi OS archives are glibc packages), and every target here is musl; remove '${n}'`,
      );
    }
  }
  const all: string[] = [];
  const byTriple: Record<string, string[]> = {};
  const keys = targets.map((t) => t.spec.triple.split('-')[0] as string);
  for (const entry of entries) {
    const colon = entry.lastIndexOf(':');
    const prefix = colon >= 0 ? entry.slice(0, colon) : null;
    const name = colon >= 0 ? entry.slice(colon + 1) : entry;
    if (!DEB_NAME.test(name)) {
      throw new InputError(
        'sysroot-packages',
        `${shown(entry)} is not a Debian package name (lower case letters, digits, '+', '-', '.'); write e.g. 'libssl-dev' or 'aarch64:libssl-dev'`,
      );
    }
    if (prefix === null) {
      if (!all.includes(name)) all.push(name);
      continue;
    }
    const hit = targets.filter((t, i) => t.spec.triple === prefix || keys[i] === prefix);
    if (hit.length === 0) {
      throw new InputError(
        'sysroot-packages',
        `${shown(entry)} names ${shown(prefix)}, which is none of the targets built; write one of ${[...new Set([...keys, ...targets.map((t) => t.spec.triple)])].map((k) => `'${k}:${name}'`).join(', ')}, or '${name}' for every target`,
      );
    }
    for (const t of hit) {
      const list = (byTriple[t.spec.triple] ??= []);
      if (!list.includes(name)) list.push(name);
    }
  }
  const musl = targets.filter(
    (t) => t.spec.libc === 'musl' && (all.length > 0 || byTriple[t.spec.triple]),
  );
  if (musl.length > 0) {
    throw new InputError(
      'sysroot-packages',
      `${musl.map((t) => t.spec.triple).join(', ')} ${musl.length === 1 ? 'is a musl target' : 'are musl targets'}, but Pi OS packages are built for glibc; build the gnu target (e.g. '${musl[0]?.boards[0] ?? 'pi4'}' without ':musl'), or give the packages only to the gnu targets ('aarch64:libssl-dev')`,
    );
  }
  return {
    all,
    byTriple,
    mirror: httpUrl('sysroot-mirror', text('sysroot-mirror')),
    keyring: keyringFile(text('sysroot-keyring'), cwd),
  };
}

/**
 * A keyring is read, never written or packed, and usually lives outside the checkout
 * (/usr/share/keyrings), so unlike the other path inputs it may be anywhere; relative paths
 * are relative to 'working-directory'.
 */
function keyringFile(v: string, cwd: string): string | null {
  if (!v) return null;
  const p = path.resolve(cwd, v);
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    throw new InputError(
      'sysroot-keyring',
      `${shown(v)} cannot be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); give the path of an OpenPGP public keyring file (.gpg or .asc), e.g. /usr/share/keyrings/debian-archive-keyring.gpg`,
    );
  }
  if (!st.isFile()) {
    throw new InputError(
      'sysroot-keyring',
      `${shown(v)} is not a file; give the path of an OpenPGP public keyring file (.gpg or .asc)`,
    );
  }
  return p;
}

function profile(v: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(v)) {
    throw new InputError(
      'profile',
      `${shown(v)} is not a profile name; use 'release', 'dev' or a [profile.<name>] from Cargo.toml`,
    );
  }
  return v;
}

function seconds(input: InputName, v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || n > 3600) {
    throw new InputError(
      input,
      `${shown(v)} is not a number of seconds between 1 and 3600, e.g. '30'`,
    );
  }
  return n;
}

function retention(v: string): number | null {
  if (!v) return null;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 90) {
    throw new InputError(
      'retention-days',
      `${shown(v)} must be a whole number of days from 1 to 90 (GitHub's limit)`,
    );
  }
  return n;
}
