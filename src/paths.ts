/**
 * Confinement of paths that come from inputs, a repository or an archive: each must stay, after
 * its symlinks are followed, inside the directory it is documented to be relative to.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether absolute `p` is `root` itself or below it (both already resolved, no symlinks). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Whether a relative `p` stays below its base before any symlink is looked at ('a/../b' does). */
export function staysBelow(p: string): boolean {
  return !path.isAbsolute(p) && isInside('/base', path.resolve('/base', p));
}

/** Characters that make a shell expand a word into file names. */
const GLOB = /[*?[\]{}]/;

export function looksLikeGlob(p: string): boolean {
  return GLOB.test(p);
}

export type Located =
  | { ok: true; real: string; kind: 'file' | 'dir' | 'other'; mode: number }
  | {
      ok: false;
      why: 'missing' | 'loop' | 'outside' | 'unreadable';
      real?: string;
      detail?: string;
    };

/**
 * Follows every symlink of `p` and says whether the file it names exists inside `root`.
 * `root` itself is resolved too, so a runner whose workspace is reached through a symlink works.
 */
export function locateInside(root: string, p: string): Located {
  let real: string;
  let rootReal: string;
  try {
    rootReal = fs.realpathSync(root);
    real = fs.realpathSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, why: 'loop' };
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, why: 'missing' };
    return { ok: false, why: 'unreadable', detail: code ?? String(err) };
  }
  if (!isInside(rootReal, real)) return { ok: false, why: 'outside', real };
  const st = fs.statSync(real);
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  return { ok: true, real, kind, mode: st.mode };
}
