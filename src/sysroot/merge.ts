/**
 * The merged sysroot: one directory that is the toolchain's sysroot plus the unpacked packages,
 * made of symlinks. gcc's --sysroot, pkg-config and qemu's single -L all need one root: the
 * packages alone lack the loader and libc, the toolchain's sysroot lacks the packages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function isRealDir(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Fills `dest` (a new, empty directory) from `sources`, earlier sources winning a name both
 * have. A directory in more than one source becomes a real directory, merged further down; any
 * other entry (a file, a symlink, a directory only one source has) is one absolute symlink.
 * Returns the names where a later source lost (for the debug log).
 */
export function mergeTrees(dest: string, sources: readonly string[]): string[] {
  const shadowed: string[] = [];
  const walk = (rel: string, from: readonly string[]): void => {
    const names = new Map<string, string[]>();
    for (const src of from) {
      for (const name of fs.readdirSync(path.join(src, rel))) {
        const list = names.get(name) ?? [];
        list.push(src);
        names.set(name, list);
      }
    }
    for (const [name, owners] of [...names].sort(([a], [b]) => a.localeCompare(b))) {
      const child = path.join(rel, name);
      const dirs = owners.filter((o) => isRealDir(path.join(o, child)));
      if (dirs.length > 1 && dirs[0] === owners[0]) {
        fs.mkdirSync(path.join(dest, child));
        walk(child, dirs);
        for (const o of owners) if (!dirs.includes(o)) shadowed.push(path.join(o, child));
        continue;
      }
      fs.symlinkSync(path.join(owners[0] as string, child), path.join(dest, child));
      for (const o of owners.slice(1)) shadowed.push(path.join(o, child));
    }
  };
  walk('', sources);
  return shadowed;
}
