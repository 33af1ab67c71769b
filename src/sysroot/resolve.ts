/**
 * The Depends/Pre-Depends closure of the requested packages over one or more Packages indexes,
 * apt-like: the first alternative that can be satisfied, the highest version that meets the
 * constraint (across archives, primary first on a tie), virtual packages through Provides.
 * Packages the toolchain's sysroot already has are not fetched; Essential and Multi-Arch: foreign
 * ones are not followed (a cross build runs tools from the build machine: bullseye's libssl1.1
 * would otherwise pull in debconf, perl-base, dpkg and tar), except arch-independent headers
 * (`keepForeign`), which the compiler must find inside the sysroot. Pure.
 */
import { formatAlternative, formatGroup, type DepAlternative, type DepGroup } from './deb822.js';
import type { PackageIndex, PackageStanza } from './packages.js';
import { compareVersions, satisfies } from './version.js';

export interface ResolveOptions {
  /** Names the toolchain's sysroot provides (glibc): any dependency on them is met. */
  have: ReadonlySet<string>;
  /** Multi-Arch: foreign packages to follow all the same (headers); none when absent. */
  keepForeign?: (p: PackageStanza) => boolean;
}

export interface Resolution {
  /** In the order they were reached (requested first). */
  packages: PackageStanza[];
  /** Why each package is in: the package that needed it, or null for a requested one. */
  neededBy: Map<string, string | null>;
  /** Dependencies left out as Essential / Multi-Arch: foreign (name → who wanted it). */
  skipped: Map<string, string>;
  /** Dependencies met by the toolchain's sysroot. */
  fromToolchain: Set<string>;
}

export class ResolveError extends Error {
  constructor(
    message: string,
    /** The requested name that is not in any index (for did-you-mean), else null. */
    readonly unknown: string | null = null,
    readonly suggestions: readonly string[] = [],
  ) {
    super(message);
  }
}

export class Universe {
  constructor(readonly indexes: readonly PackageIndex[]) {}

  real(name: string): PackageStanza[] {
    return this.indexes.flatMap((i) => i.get(name));
  }

  /** Packages providing `name` that meet `alt`'s constraint (versioned Provides only then). */
  providers(alt: DepAlternative): PackageStanza[] {
    const out: PackageStanza[] = [];
    for (const idx of this.indexes) {
      for (const p of idx.provides.get(alt.name) ?? []) {
        if (
          alt.relation &&
          (p.version === null || !satisfies(p.version, alt.relation, alt.version as string))
        ) {
          continue;
        }
        out.push(...idx.get(p.name));
      }
    }
    return out;
  }

  knows(name: string): boolean {
    return this.indexes.some((i) => i.has(name) || i.provides.has(name));
  }

  names(): Set<string> {
    const s = new Set<string>();
    for (const i of this.indexes) for (const n of i.names()) s.add(n);
    return s;
  }
}

function meets(p: PackageStanza, alt: DepAlternative): boolean {
  return !alt.relation || satisfies(p.version, alt.relation, alt.version as string);
}

/** Highest version first; a stable sort keeps the primary archive first on equal versions. */
function best(cands: PackageStanza[]): PackageStanza | undefined {
  return [...cands].sort((a, b) => compareVersions(b.version, a.version))[0];
}

export function resolve(
  roots: readonly string[],
  universe: Universe,
  opts: ResolveOptions,
): Resolution {
  const picked = new Map<string, PackageStanza>();
  const neededBy = new Map<string, string | null>();
  const skipped = new Map<string, string>();
  const fromToolchain = new Set<string>();
  const queue: PackageStanza[] = [];

  const take = (p: PackageStanza, by: string | null): void => {
    if (picked.has(p.name)) return;
    picked.set(p.name, p);
    neededBy.set(p.name, by);
    queue.push(p);
  };

  for (const root of roots) {
    if (opts.have.has(root)) {
      fromToolchain.add(root);
      continue;
    }
    const alt: DepAlternative = { name: root, archQualifier: null, relation: null, version: null };
    const p = best(universe.real(root)) ?? best(universe.providers(alt));
    if (!p) {
      const s = suggest(root, universe.names());
      throw new ResolveError(`'${root}' is not in the index`, root, s);
    }
    // A virtual name (libc-dev) the toolchain's package provides.
    if (opts.have.has(p.name)) {
      fromToolchain.add(p.name);
      continue;
    }
    take(p, null);
  }

  // Whether a group is met by what is already chosen, without adding anything.
  const alreadyMet = (g: DepGroup): boolean =>
    g.some((alt) => {
      if (opts.have.has(alt.name)) return true;
      // A virtual package (libc-dev) the toolchain's glibc provides.
      if (universe.providers(alt).some((q) => opts.have.has(q.name))) return true;
      const p = picked.get(alt.name);
      if (p && meets(p, alt)) return true;
      return [...picked.values()].some((q) => universe.providers(alt).includes(q));
    });

  while (queue.length > 0) {
    const pkg = queue.shift() as PackageStanza;
    for (const group of [...pkg.preDepends, ...pkg.depends]) {
      if (alreadyMet(group)) {
        for (const alt of group) {
          if (opts.have.has(alt.name)) fromToolchain.add(alt.name);
          for (const q of universe.providers(alt))
            if (opts.have.has(q.name)) fromToolchain.add(q.name);
        }
        continue;
      }
      let choice: PackageStanza | undefined;
      for (const alt of group) {
        if (picked.has(alt.name)) continue; // chosen at a version this constraint rules out
        choice =
          best(universe.real(alt.name).filter((p) => meets(p, alt))) ??
          best(universe.providers(alt));
        if (choice) break;
      }
      if (!choice) {
        throw new ResolveError(
          `${pkg.name} ${pkg.version} needs '${formatGroup(group)}', ${whyNot(group, universe, picked)}`,
        );
      }
      const foreign = choice.multiArch === 'foreign' && !(opts.keepForeign?.(choice) ?? false);
      if (choice.essential || foreign) {
        skipped.set(choice.name, pkg.name);
        continue;
      }
      take(choice, pkg.name);
    }
  }
  return { packages: [...picked.values()], neededBy, skipped, fromToolchain };
}

function whyNot(group: DepGroup, universe: Universe, picked: Map<string, PackageStanza>): string {
  const parts = group.map((alt) => {
    const p = picked.get(alt.name);
    if (p) return `${alt.name} ${p.version} is already chosen`;
    const versions = universe.real(alt.name).map((q) => q.version);
    if (versions.length)
      return `the index has ${alt.name} ${versions.join(', ')} only, not ${formatAlternative(alt)}`;
    return `no index has ${alt.name}`;
  });
  return `which cannot be met: ${parts.join('; ')}`;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(
        up + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** Up to three index names near `name`: small edit distance, or the `-dev` of what was written. */
export function suggest(name: string, names: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(name.length / 4));
  const scored: [number, string][] = [];
  for (const n of names) {
    if (Math.abs(n.length - name.length) > limit) {
      if (n === `${name}-dev` || n === `lib${name}-dev` || n === `lib${name}`)
        scored.push([0.5, n]);
      continue;
    }
    const d = n === `${name}-dev` || n === `lib${name}-dev` ? 0.5 : distance(name, n);
    if (d <= limit) scored.push([d, n]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, 3)
    .map(([, n]) => n);
}
