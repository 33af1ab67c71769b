import * as path from 'node:path';
import type { BuiltBinary } from './messages.js';

/** The part of `cargo metadata --no-deps --format-version 1` read here. */
export interface Metadata {
  packages: {
    name: string;
    id: string;
    manifest_path: string;
    targets: { name: string; kind: string[]; 'required-features'?: string[] }[];
  }[];
  workspace_members: string[];
  workspace_default_members?: string[];
  workspace_root: string;
}

/** A bin cargo left out because features it requires were not enabled. */
export interface SkippedBin {
  package: string;
  bin: string;
  features: string[];
}

export interface Selection {
  /** The `package` input. */
  packages: readonly string[];
  /** The `bin` input. */
  bins: readonly string[];
  /** `--workspace`/`--all` in `args`. */
  workspace: boolean;
  /** The Cargo.toml cargo ran on (manifest-path, or the nearest one above the working dir). */
  manifest: string | null;
}

/**
 * The packages cargo builds without `-p`: the package of the manifest it runs on, or the
 * workspace's default members when that manifest is the workspace root.
 */
function selectedPackages(meta: Metadata, sel: Selection): Metadata['packages'] {
  const members = meta.packages.filter((p) => meta.workspace_members.includes(p.id));
  if (sel.packages.length > 0) return members.filter((p) => sel.packages.includes(p.name));
  if (sel.workspace) return members;
  const rootManifest = path.join(meta.workspace_root, 'Cargo.toml');
  if (sel.manifest && path.resolve(sel.manifest) !== rootManifest) {
    return members.filter((p) => path.resolve(p.manifest_path) === path.resolve(sel.manifest!));
  }
  const defaults = meta.workspace_default_members ?? meta.workspace_members;
  return members.filter((p) => defaults.includes(p.id));
}

/**
 * Bins of the selected packages that cargo did not build and that declare required-features:
 * cargo skips those silently when the features are off.
 */
export function skippedBins(
  meta: Metadata,
  sel: Selection,
  built: readonly BuiltBinary[],
): SkippedBin[] {
  const out: SkippedBin[] = [];
  for (const pkg of selectedPackages(meta, sel)) {
    for (const t of pkg.targets) {
      const features = t['required-features'] ?? [];
      if (!t.kind.includes('bin') || features.length === 0) continue;
      if (sel.bins.length > 0 && !sel.bins.includes(t.name)) continue;
      if (built.some((b) => b.package === pkg.name && b.name === t.name)) continue;
      out.push({ package: pkg.name, bin: t.name, features });
    }
  }
  return out;
}

/** What to write to get them built, for the error or the warning. */
export function skippedMessage(skipped: readonly SkippedBin[]): string {
  const each = skipped.map(
    (s) =>
      `bin '${s.bin}' of package '${s.package}' needs the feature${s.features.length > 1 ? 's' : ''} ${s.features.map((f) => `'${f}'`).join(', ')} (its required-features)`,
  );
  const all = [...new Set(skipped.flatMap((s) => s.features))];
  return `${each.join('; ')}, not enabled, so cargo did not build it; add 'features: ${all.join(', ')}' (or 'all-features: true') to build it`;
}
