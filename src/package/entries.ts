/**
 * What goes into an archive, and the facts both archive writers must agree on (entry names,
 * timestamps) so a tar.gz and a zip of the same inputs describe the same files.
 */
import fs from 'node:fs';

export interface ArchiveEntry {
  /** Path inside the archive, '/'-separated and relative. */
  name: string;
  /** File to read the content from; exactly one of `path` and `data`. */
  path?: string;
  data?: Buffer;
  /** Unix permission bits, e.g. 0o755 for an executable. */
  mode: number;
}

/**
 * 1980-01-01T00:00:00Z: the earliest time a zip (DOS date) can hold, so both formats carry the
 * same fixed timestamp when SOURCE_DATE_EPOCH is unset and rebuilds are byte-identical.
 */
export const DEFAULT_MTIME = 315532800;

/** Entry mtime in seconds: SOURCE_DATE_EPOCH (reproducible-builds.org) or DEFAULT_MTIME. */
export function archiveMtime(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOURCE_DATE_EPOCH?.trim();
  if (!raw) return DEFAULT_MTIME;
  if (!/^\d+$/.test(raw)) {
    throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${raw}'`);
  }
  return Number(raw);
}

export function checkEntry(entry: ArchiveEntry): void {
  const parts = entry.name.split('/');
  if (!entry.name || entry.name.startsWith('/') || parts.some((p) => p === '..' || p === '')) {
    throw new Error(`Archive entry name '${entry.name}' must be a relative path without '..'`);
  }
  if ((entry.path === undefined) === (entry.data === undefined)) {
    throw new Error(`Archive entry '${entry.name}' needs exactly one of path and data`);
  }
}

export async function entrySize(entry: ArchiveEntry): Promise<number> {
  if (entry.data) return entry.data.length;
  return (await fs.promises.stat(entry.path ?? '')).size;
}

export async function entryBytes(entry: ArchiveEntry): Promise<Buffer> {
  return entry.data ?? fs.promises.readFile(entry.path ?? '');
}
