/**
 * .deb unpacking into an overlay directory, confined to it: no entry may name a path outside
 * (`..`, absolute names), be written through a symlink, or leave a symlink that resolves outside
 * the overlay. Absolute symlinks (libdbus-1-dev ships `/usr/lib/<t>/libdbus-1.so -> /lib/<t>/…`)
 * are rewritten relative to the link so they resolve inside the sysroot, not on the host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readAr } from './ar.js';
import { compressionOf, decompress } from './decompress.js';
import { readTar, type TarEntry } from './tar.js';

export class UnpackError extends Error {}

export interface UnpackResult {
  member: string;
  files: number;
  directories: number;
  symlinks: string[];
  hardlinks: number;
  /** `link: was -> now` for each absolute symlink made relative. */
  rewritten: string[];
  /** Entries of a type a sysroot has no use for (devices, fifos), left out. */
  ignored: string[];
  /** Every file, hard link and symlink written, relative to the root (which package has what). */
  paths: string[];
}

/** The data member of a .deb, decompressed. */
export async function debData(deb: Buffer): Promise<{ member: string; tar: Buffer }> {
  const members = readAr(deb);
  const version = members[0];
  if (
    !version ||
    version.name !== 'debian-binary' ||
    !version.data.toString('latin1').startsWith('2.')
  ) {
    throw new UnpackError('not a Debian binary package (no debian-binary 2.x member first)');
  }
  const data = members.find((m) => m.name.startsWith('data.tar'));
  if (!data) throw new UnpackError('the package has no data.tar member');
  const kind = compressionOf(data.name);
  if (!kind) throw new UnpackError(`${data.name}: unsupported compression`);
  try {
    return { member: data.name, tar: await decompress(data.data, kind) };
  } catch (err) {
    throw new UnpackError(`${data.name} does not decompress (${(err as Error).message})`);
  }
}

export async function unpackDeb(deb: Buffer, root: string): Promise<UnpackResult> {
  const { member, tar } = await debData(deb);
  let entries: TarEntry[];
  try {
    entries = readTar(tar);
  } catch (err) {
    throw new UnpackError(`${member}: ${(err as Error).message}`);
  }
  return { member, ...extractEntries(entries, root) };
}

/** `./usr/lib/x` → ['usr', 'lib', 'x']; [] for the archive's root; refuses escaping names. */
export function entryComponents(name: string): string[] {
  if (name.startsWith('/')) throw new UnpackError(`entry '${name}' has an absolute path`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnpackError(`entry '${name}' climbs out with '..'`);
  return parts;
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** Creates the directories of `parts` below root; refuses to pass through a symlink or file. */
function ensureDirs(root: string, parts: readonly string[], entry: string): void {
  let cur = root;
  for (const part of parts) {
    cur = path.join(cur, part);
    const st = lstatOrNull(cur);
    if (!st) {
      fs.mkdirSync(cur, { mode: 0o755 });
    } else if (st.isSymbolicLink()) {
      throw new UnpackError(
        `entry '${entry}' would be written through the symlink ${path.relative(root, cur)}`,
      );
    } else if (!st.isDirectory()) {
      throw new UnpackError(`entry '${entry}' needs ${path.relative(root, cur)} to be a directory`);
    }
  }
}

/** Makes room for a non-directory entry at `abs`: an earlier file or link there is replaced. */
function clear(abs: string, entry: string): void {
  const st = lstatOrNull(abs);
  if (!st) return;
  if (st.isDirectory()) throw new UnpackError(`entry '${entry}' would replace a directory`);
  fs.unlinkSync(abs);
}

export function extractEntries(
  entries: readonly TarEntry[],
  root: string,
): Omit<UnpackResult, 'member'> {
  const out = {
    files: 0,
    directories: 0,
    symlinks: [] as string[],
    hardlinks: 0,
    rewritten: [] as string[],
    ignored: [] as string[],
    paths: [] as string[],
  };
  const written = new Set<string>();
  for (const e of entries) {
    const parts = entryComponents(e.name);
    const rel = parts.join('/');
    if (parts.length === 0) continue;
    const abs = path.join(root, ...parts);
    if (e.type === 'other') {
      out.ignored.push(`${rel} (tar type '${e.flag}')`);
      continue;
    }
    if (e.type === 'directory') {
      ensureDirs(root, parts, e.name);
      fs.chmodSync(abs, (e.mode & 0o777) | 0o700);
      out.directories++;
      continue;
    }
    ensureDirs(root, parts.slice(0, -1), e.name);
    clear(abs, e.name);
    written.delete(rel);
    out.paths.push(rel);
    if (e.type === 'file') {
      fs.writeFileSync(abs, e.data, { flag: 'wx', mode: (e.mode & 0o777) | 0o600 });
      fs.chmodSync(abs, (e.mode & 0o777) | 0o600); // the umask may have cut the mode
      written.add(rel);
      out.files++;
    } else if (e.type === 'hardlink') {
      // Only to a regular file this archive wrote: never to a host file, a link, or a dir.
      const target = entryComponents(e.linkname).join('/');
      if (!written.has(target)) {
        throw new UnpackError(
          `hard link '${e.name}' points at '${e.linkname}', not a file of this package`,
        );
      }
      fs.linkSync(path.join(root, target), abs);
      written.add(rel);
      out.hardlinks++;
    } else {
      let target = e.linkname;
      if (target === '') throw new UnpackError(`symlink '${e.name}' has no target`);
      const dir = path.posix.dirname(`/${rel}`);
      if (target.startsWith('/')) {
        const rewritten = path.posix.relative(dir, path.posix.normalize(target)) || '.';
        out.rewritten.push(`${rel}: ${target} -> ${rewritten}`);
        target = rewritten;
      }
      // Relative to the overlay, not '/': an absolute join would clamp '..' at the top and hide it.
      const lexical = path.posix.normalize(path.posix.join(dir.slice(1) || '.', target));
      if (lexical === '..' || lexical.startsWith('../')) {
        throw new UnpackError(`symlink '${e.name}' -> '${e.linkname}' points outside the sysroot`);
      }
      fs.symlinkSync(target, abs);
      out.symlinks.push(rel);
    }
  }
  return out;
}

/**
 * Follows a symlink's target inside `root` as the Pi would see it, through the links already
 * there; 'escape' when it climbs above root or is absolute (links are relative once unpacked).
 */
function walk(root: string, start: string[], target: string, depth: number): string[] | 'escape' {
  if (target.startsWith('/') || depth > 40) return 'escape';
  let stack = [...start];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return 'escape';
      stack.pop();
      continue;
    }
    stack.push(part);
    const abs = path.join(root, ...stack);
    const st = lstatOrNull(abs);
    if (st?.isSymbolicLink()) {
      stack.pop();
      const r = walk(root, stack, fs.readlinkSync(abs), depth + 1);
      if (r === 'escape') return r;
      stack = r;
    }
  }
  return stack;
}

/**
 * The links of a finished overlay, checked together: one link may be harmless alone and lead
 * out only through another (`a -> b/../x` with a later `b -> .` at the top).
 */
export function checkSymlinks(root: string, links: readonly string[]): void {
  for (const rel of links) {
    const abs = path.join(root, rel);
    const st = lstatOrNull(abs);
    if (!st?.isSymbolicLink()) continue;
    const parts = rel.split('/');
    if (walk(root, parts.slice(0, -1), fs.readlinkSync(abs), 0) === 'escape') {
      throw new UnpackError(
        `symlink '${rel}' -> '${fs.readlinkSync(abs)}' leads outside the sysroot`,
      );
    }
  }
}
