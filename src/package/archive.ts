/**
 * Packaging: one archive per target with its binaries (+x) and the extra files, a sha256sum-style
 * `.sha256` beside each archive and one SHA256SUMS for the lot. Node built-ins only, no child
 * processes, so it behaves the same on every runner OS.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { shorten, shown } from '../show.js';
import type { ArchiveEntry } from './entries.js';
import { writeTarGz } from './tar.js';
import { writeZip } from './zip.js';

export { writeTarGz } from './tar.js';
export { writeZip, crc32 } from './zip.js';
export type { ArchiveEntry } from './entries.js';

export const PLACEHOLDERS = ['package', 'version', 'target', 'board', 'bin', 'ref'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Characters no file or artifact name may hold (NTFS and the artifact service reject them). */
const UNSAFE_CHARS = '/\\:*?"<>|';

function safeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return UNSAFE_CHARS.includes(ch) || code < 0x20 || code === 0x7f ? '-' : ch;
}

/**
 * Fills `{package} {version} {target} {board} {bin} {ref}` in a name template. The result is made
 * safe as a file and artifact name: each of / \ : * ? " < > | and control characters becomes '-'
 * (so ref `feature/x` gives `feature-x`), and surrounding whitespace is trimmed.
 */
export function renderName(template: string, vars: Record<string, string>): string {
  const allowed = PLACEHOLDERS.map((p) => `{${p}}`).join(' ');
  const rendered = template.replace(/\{([^{}]*)\}/g, (_match, key: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(key)) {
      throw new Error(
        `Unknown placeholder {${shorten(key)}} in name template ${shown(template)}; allowed: ${allowed}`,
      );
    }
    const value = vars[key];
    if (value === undefined) {
      throw new Error(`Placeholder {${key}} in name template ${shown(template)} has no value here`);
    }
    return value;
  });
  const safe = Array.from(rendered, safeChar).join('').trim();
  if (/^\.*$/.test(safe)) {
    throw new Error(
      `Name template ${shown(template)} renders to ${shown(safe)}, which is not a usable name`,
    );
  }
  return safe;
}

/** Lower-case hex sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export type ArchiveFormat = 'tar.gz' | 'zip' | 'none';

export interface PackageGroup {
  target: string;
  /**
   * Values for the name template. `target` defaults to the group's target and `bin` to its binary
   * names joined with '-'.
   */
  vars: Record<string, string>;
  binaries: { name: string; path: string }[];
}

export interface PackageOptions {
  outDir: string;
  format: ArchiveFormat;
  /** The `archive-name` input, without extension. */
  nameTemplate: string;
  groups: PackageGroup[];
  /** Extra files (README, LICENSE) added to each archive; absolute paths. Unused with 'none'. */
  include: string[];
}

export interface PackagedFile {
  target: string;
  path: string;
  sha256: string;
}

export interface PackageResult {
  /** The archives, or with format 'none' the copied binaries: what SHA256SUMS lists. */
  archives: PackagedFile[];
  checksumsPath: string;
}

interface Plan {
  group: PackageGroup;
  /** Absolute output path: the archive, or the target directory for format 'none'. */
  out: string;
  entries: ArchiveEntry[];
}

function templateVars(group: PackageGroup): Record<string, string> {
  const bin = group.binaries.map((b) => b.name).join('-');
  return { target: group.target, bin, ...group.vars };
}

function archiveEntries(group: PackageGroup, include: string[]): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [
    // Forced rather than copied from disk so a binary that lost +x on the way still ships runnable.
    ...group.binaries.map((b) => ({ name: b.name, path: b.path, mode: 0o755 })),
    ...include.map((file) => ({ name: path.basename(file), path: file, mode: 0o644 })),
  ];
  const seen = new Set<string>();
  for (const { name } of entries) {
    if (seen.has(name)) {
      throw new Error(`Two files named '${name}' would go into the ${group.target} package`);
    }
    seen.add(name);
  }
  return entries;
}

function plan(opts: PackageOptions): Plan[] {
  const byOut = new Map<string, string>();
  return opts.groups.map((group) => {
    const base =
      opts.format === 'none' ? group.target : renderName(opts.nameTemplate, templateVars(group));
    const out = path.join(opts.outDir, opts.format === 'none' ? base : `${base}.${opts.format}`);
    const clash = byOut.get(out);
    if (clash !== undefined) {
      throw new Error(
        `Targets ${clash} and ${group.target} both package to '${path.basename(out)}'; ` +
          `include {target} in archive-name (now '${opts.nameTemplate}')`,
      );
    }
    byOut.set(out, group.target);
    return {
      group,
      out,
      entries: archiveEntries(group, opts.format === 'none' ? [] : opts.include),
    };
  });
}

async function assertReadable(entries: ArchiveEntry[]): Promise<void> {
  for (const entry of entries) {
    try {
      await fs.promises.access(entry.path ?? '', fs.constants.R_OK);
    } catch {
      throw new Error(`Cannot read '${entry.path ?? ''}', to be packaged as '${entry.name}'`);
    }
  }
}

/** Writes `<hex>  <basename>\n` beside the file, the format `sha256sum -c` reads. */
async function checksum(target: string, file: string): Promise<PackagedFile> {
  const sha256 = await sha256File(file);
  await fs.promises.writeFile(`${file}.sha256`, `${sha256}  ${path.basename(file)}\n`);
  return { target, path: file, sha256 };
}

async function copyBinaries(p: Plan): Promise<PackagedFile[]> {
  await fs.promises.mkdir(p.out, { recursive: true });
  const files: PackagedFile[] = [];
  for (const entry of p.entries) {
    const dest = path.join(p.out, entry.name);
    await fs.promises.copyFile(entry.path ?? '', dest);
    await fs.promises.chmod(dest, entry.mode);
    files.push(await checksum(p.group.target, dest));
  }
  return files;
}

async function buildArchive(p: Plan, format: 'tar.gz' | 'zip'): Promise<PackagedFile> {
  await (format === 'zip' ? writeZip(p.out, p.entries) : writeTarGz(p.out, p.entries));
  return checksum(p.group.target, p.out);
}

/**
 * Packages every group, checksums the results and writes SHA256SUMS into outDir (paths relative
 * to it, so `cd outDir && sha256sum -c SHA256SUMS` works). Names are checked for clashes before
 * anything is written.
 */
export async function packageTargets(opts: PackageOptions): Promise<PackageResult> {
  const plans = plan(opts);
  for (const p of plans) await assertReadable(p.entries);
  await fs.promises.mkdir(opts.outDir, { recursive: true });
  const archives: PackagedFile[] = [];
  for (const p of plans) {
    if (opts.format === 'none') archives.push(...(await copyBinaries(p)));
    else archives.push(await buildArchive(p, opts.format));
  }
  const checksumsPath = path.join(opts.outDir, 'SHA256SUMS');
  // sha256sum wants '/' separators even where path.relative gives backslashes (Windows).
  const relative = (file: string): string =>
    path.relative(opts.outDir, file).split(path.sep).join('/');
  const lines = archives.map((a) => `${a.sha256}  ${relative(a.path)}\n`);
  await fs.promises.writeFile(checksumsPath, lines.join(''));
  return { archives, checksumsPath };
}
