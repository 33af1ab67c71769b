/**
 * Which archives a target's packages come from, as data (archives.json): origins, paths, suites
 * per Pi OS release, components, the pinned key fingerprints, and the `sysroot-mirror` rule.
 * Pure: no I/O.
 */
import raw from './archives.json' with { type: 'json' };
import { InputError } from '../errors.js';

export type ArchiveId = 'debian' | 'debian-security' | 'raspbian' | 'raspberrypi';
export const ARCHIVE_IDS: readonly ArchiveId[] = [
  'debian',
  'debian-security',
  'raspbian',
  'raspberrypi',
];

export interface ArchiveFacts {
  readonly label: string;
  readonly origin: string;
  readonly path: string;
  readonly keyset: string;
}

export interface ReleaseArchive {
  readonly origin?: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

export interface TargetArchives {
  readonly debArch: string;
  readonly primary: readonly ArchiveId[];
  readonly supplements: readonly ArchiveId[];
  /**
   * Packages whose files are qemu's `-L` root for smoke runs, whatever linked the binary: the
   * Pi OS's own loader and libc where no other libc runs under the board's CPU (ARMv6: Debian's
   * and Ubuntu's armhf libc is ARMv7 code and dies under arm1176 before the program starts).
   */
  readonly runtime?: readonly string[];
}

export interface Keyset {
  readonly package: string;
  readonly fingerprints: readonly string[];
  /**
   * Where the archive publishes its key, fetched when none is bundled (the Pi keyring packages
   * live only on the Pi archives). Only keys with a pinned fingerprint are kept, so the transport
   * does not have to be trusted.
   */
  readonly keyUrl?: string;
}

export interface ArchivesData {
  readonly schema: 1;
  readonly archives: Readonly<Record<ArchiveId, ArchiveFacts>>;
  readonly releases: Readonly<Record<string, Readonly<Record<ArchiveId, ReleaseArchive>>>>;
  readonly targets: Readonly<Record<string, TargetArchives>>;
  readonly keysets: Readonly<Record<string, Keyset>>;
  readonly toolchainProvides: readonly string[];
  /**
   * Multi-Arch: foreign packages that are still followed: arch-independent headers such as
   * x11proto-dev and xtrans-dev (libx11-dev needs them; the build machine's copies are outside
   * the sysroot that --sysroot confines the compiler to).
   */
  readonly foreignHeaders: {
    readonly architecture: string;
    readonly nameSuffixes: readonly string[];
  };
}

export const ARCHIVES = raw as unknown as ArchivesData;

/** One suite of one archive, ready to fetch: `<base>/dists/<suite>/InRelease`. */
export interface SuiteSource {
  readonly archive: ArchiveId;
  readonly label: string;
  /** No trailing slash. */
  readonly base: string;
  readonly suite: string;
  readonly components: readonly string[];
  readonly debArch: string;
  readonly keyset: string;
  /** A supplement missing from the mirror is a warning, a primary archive missing an error. */
  readonly optional: boolean;
}

/**
 * `sysroot-mirror: <url>` serves every archive under `<url>/<archive>/`: one origin cannot stand
 * in for them all because two of them share the path `/debian`.
 */
export function archiveBase(id: ArchiveId, piOs: string, mirror: string | null): string {
  if (mirror) return `${mirror.replace(/\/+$/, '')}/${id}`;
  const facts = ARCHIVES.archives[id];
  const origin = ARCHIVES.releases[piOs]?.[id]?.origin ?? facts.origin;
  return `${origin}${facts.path}`;
}

/**
 * The published key of `source`'s keyset: the archive's own URL, or under `sysroot-mirror` the
 * same file name beside that archive (`<url>/raspbian/raspbian.public.key`); null when the
 * keyset publishes none.
 */
export function keyUrl(source: SuiteSource, mirror: string | null): string | null {
  const url = ARCHIVES.keysets[source.keyset]?.keyUrl;
  if (!url) return null;
  return mirror ? `${source.base}/${url.slice(url.lastIndexOf('/') + 1)}` : url;
}

/** The runtime packages of `triple` (see TargetArchives.runtime); empty for most targets. */
export function runtimePackages(triple: string): readonly string[] {
  return ARCHIVES.targets[triple]?.runtime ?? [];
}

/** The suites to read for `triple` on Pi OS `piOs`, primary archives first. */
export function suiteSources(triple: string, piOs: string, mirror: string | null): SuiteSource[] {
  const target = ARCHIVES.targets[triple];
  if (!target) {
    const musl = /musl/.test(triple);
    throw new InputError(
      'sysroot-packages',
      musl
        ? `${triple} is a musl target, but Pi OS packages are built for glibc; build a gnu target (e.g. ${triple.replace(/musl/, 'gnu')}) or drop 'sysroot-packages'`
        : `no Pi OS archive is known for ${triple}; use one of ${Object.keys(ARCHIVES.targets).join(', ')}`,
    );
  }
  const release = ARCHIVES.releases[piOs];
  if (!release) {
    throw new InputError(
      'pi-os',
      `no package archives are known for '${piOs}'; use one of ${Object.keys(ARCHIVES.releases).join(', ')}`,
    );
  }
  const out: SuiteSource[] = [];
  const add = (id: ArchiveId, optional: boolean): void => {
    const rel = release[id];
    const facts = ARCHIVES.archives[id];
    for (const suite of rel.suites) {
      out.push({
        archive: id,
        label: facts.label,
        base: archiveBase(id, piOs, mirror),
        suite,
        components: rel.components,
        debArch: target.debArch,
        keyset: facts.keyset,
        optional,
      });
    }
  };
  for (const id of target.primary) add(id, false);
  for (const id of target.supplements) add(id, true);
  return out;
}
