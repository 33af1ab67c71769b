import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError } from './errors.js';
import type { ActionInputs } from './inputs.js';
import { cargoLicenseFile, isDocName } from './license-files.js';
import type { Log } from './log.js';
import { locateInside } from './paths.js';
import { shown } from './show.js';
import { packageTargets, renderName, type PackageResult } from './package/archive.js';
import type { StagedBinary } from './stage.js';
import { uploadArtifacts, type UploadedArtifact } from './upload.js';

export interface ShipResult {
  packaged: PackageResult;
  artifacts: UploadedArtifact[];
}

type ShipInputs = Pick<
  ActionInputs,
  | 'archive'
  | 'archiveName'
  | 'include'
  | 'upload'
  | 'artifactName'
  | 'retentionDays'
  | 'workspace'
  | 'targets'
>;

/** Placeholder values for one target's archive and artifact names. */
export function nameVars(
  bins: readonly StagedBinary[],
  boards: readonly string[],
  refName: string,
): Record<string, string> {
  const first = bins[0] as StagedBinary;
  return {
    package: first.package,
    version: first.version,
    target: first.target,
    board: boards[0] ?? first.target,
    bin: [...new Set(bins.map((b) => b.name))].join('-'),
    ref: refName || 'local',
  };
}

/**
 * The files every archive carries: README, licence and notice files next to the crate (see
 * license-files.ts), the file its Cargo.toml names as `license-file`, then the `include` input's
 * files (already checked by inputs.ts). Each must resolve inside the workspace: a repository's
 * `LICENSE -> /etc/shadow` is refused, not packed.
 */
export function includeFiles(
  crateDir: string,
  include: readonly string[],
  workspace: string,
): string[] {
  const automatic: string[] = [];
  if (fs.existsSync(crateDir)) {
    for (const f of fs.readdirSync(crateDir).sort()) {
      if (isDocName(f)) automatic.push(path.join(crateDir, f));
    }
    const manifest = path.join(crateDir, 'Cargo.toml');
    const licenseFile = fs.existsSync(manifest)
      ? cargoLicenseFile(fs.readFileSync(manifest, 'utf8'))
      : null;
    if (licenseFile) automatic.push(path.resolve(crateDir, licenseFile));
  }
  const files: string[] = [];
  const reals = new Set<string>();
  const names = new Set<string>();
  const add = (file: string, real: string) => {
    if (reals.has(real)) return;
    reals.add(real);
    names.add(path.basename(file));
    files.push(file);
  };
  for (const file of automatic) {
    const at = locateInside(workspace, file);
    if (!at.ok && at.why === 'outside') {
      throw new ActionError(
        `${shown(file)} resolves to ${shown(at.real ?? '')}, outside the workspace; README, licence and 'license-file' files are packed automatically, so make it a file of the repository (or remove the link)`,
        'include',
      );
    }
    // The crate's own LICENSE wins over a license-file of the same name elsewhere; anything that
    // is not a file (a LICENSES/ directory, a dangling link) is simply not packed.
    if (at.ok && at.kind === 'file' && !names.has(path.basename(file))) add(file, at.real);
  }
  for (const file of include) {
    const at = locateInside(workspace, file);
    if (!at.ok || at.kind !== 'file') {
      throw new ActionError(
        `input 'include': ${shown(file)} is no longer a file inside the workspace (the build changed it)`,
        'include',
      );
    }
    add(file, at.real);
  }
  return files;
}

/** Archives per target, SHA256SUMS, then one artifact per target. */
export async function ship(
  staged: readonly StagedBinary[],
  inputs: ShipInputs,
  ctx: { outDir: string; crateDir: string; refName: string; log: Log },
): Promise<ShipResult> {
  const groups = inputs.targets
    .map((t) => ({ t, bins: staged.filter((b) => b.target === t.spec.triple) }))
    .filter((g) => g.bins.length > 0)
    .map(({ t, bins }) => ({
      target: t.spec.triple,
      vars: nameVars(bins, t.boards, ctx.refName),
      binaries: bins.map((b) => ({ name: b.name, path: b.path })),
    }));
  const packaged = await packageTargets({
    outDir: ctx.outDir,
    format: inputs.archive,
    nameTemplate: inputs.archiveName,
    groups,
    include: includeFiles(ctx.crateDir, inputs.include, inputs.workspace),
  }).catch((err: Error) => {
    throw new ActionError(err.message, 'archive-name');
  });
  for (const a of packaged.archives) ctx.log.info(`${a.target}: ${a.path} sha256 ${a.sha256}`);
  if (!inputs.upload) return { packaged, artifacts: [] };
  if (!process.env.ACTIONS_RUNTIME_TOKEN) {
    ctx.log.warning(
      "not running inside GitHub Actions (no ACTIONS_RUNTIME_TOKEN): artifacts were not uploaded; set 'upload: false' to silence this",
      'upload skipped',
    );
    return { packaged, artifacts: [] };
  }
  // Names are rendered and checked for every target before the first upload starts.
  const items = groups.map((g) => {
    const files = packaged.archives
      .filter((a) => a.target === g.target)
      .flatMap((a) => [a.path, `${a.path}.sha256`]);
    return {
      name: renderName(inputs.artifactName, g.vars),
      files,
      rootDirectory: path.dirname(files[0] as string),
    };
  });
  const artifacts = await uploadArtifacts(items, {
    retentionDays: inputs.retentionDays ?? undefined,
  }).catch((err: Error) => {
    throw new ActionError(err.message, 'upload');
  });
  for (const a of artifacts)
    ctx.log.info(`artifact ${a.name} (id ${a.id}, ${a.size} bytes) ${a.url}`);
  return { packaged, artifacts };
}
