import { ActionError } from '../errors.js';

/** An executable cargo reported building, attributed to the target it was built for. */
export interface BuiltBinary {
  target: string;
  name: string;
  path: string;
  /** Cargo package name and version, from the message's package id. */
  package: string;
  version: string;
}

/**
 * Name and version from a cargo package id: `path+file:///w/app#my-app@0.1.0`,
 * `path+file:///w/app#0.1.0` (name = last path segment) or the old `my-app 0.1.0 (path+…)`.
 */
export function parsePackageId(id: string): { package: string; version: string } {
  const old = /^(\S+) (\S+) \(/.exec(id);
  if (old) return { package: old[1] as string, version: old[2] as string };
  const hash = id.lastIndexOf('#');
  const frag = hash >= 0 ? id.slice(hash + 1) : id;
  const at = frag.lastIndexOf('@');
  if (at >= 0) return { package: frag.slice(0, at), version: frag.slice(at + 1) };
  const base = (hash >= 0 ? id.slice(0, hash) : id).replace(/\/+$/, '');
  return { package: base.slice(base.lastIndexOf('/') + 1), version: frag };
}

interface ArtifactMessage {
  reason?: string;
  package_id?: string;
  executable?: string | null;
  target?: { name?: string; kind?: string[] };
  profile?: { test?: boolean };
}

/** Two packages whose bins of the same name cargo wrote to the same file. */
export interface BinCollision {
  target: string;
  name: string;
  packages: string[];
}

/**
 * The triple an executable was built for, read from the END of its path
 * (`<target-dir>/<triple>/<profile>/<name>`): a folder above the target dir may itself be named
 * like a triple.
 */
export function tripleOf(executable: string, triples: readonly string[]): string | null {
  const parts = executable.split(/[\\/]/);
  const triple = parts[parts.length - 3];
  return triple !== undefined && triples.includes(triple) ? triple : null;
}

/**
 * Picks the `bin` executables out of cargo's JSON messages, each attributed to the `--target`
 * its path says. Bins of one name from two packages land in the same file (cargo only warns), so
 * the file is one package's binary whatever the label: that is refused, never shipped.
 */
export function collectBinaries(
  lines: readonly string[],
  triples: readonly string[],
): BuiltBinary[] {
  const out: BuiltBinary[] = [];
  const collisions: BinCollision[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    let msg: ArtifactMessage;
    try {
      msg = JSON.parse(line) as ArtifactMessage;
    } catch {
      continue;
    }
    if (msg.reason !== 'compiler-artifact' || !msg.executable) continue;
    if (!msg.target?.kind?.includes('bin') || msg.profile?.test) continue;
    const exe = msg.executable;
    const target = tripleOf(exe, triples);
    if (!target) continue;
    const bin: BuiltBinary = {
      target,
      name: msg.target.name ?? exe,
      path: exe,
      ...parsePackageId(msg.package_id ?? ''),
    };
    const same = out.find((b) => b.path === exe);
    if (same) {
      if (same.package !== bin.package) addCollision(collisions, same, bin);
      continue;
    }
    out.push(bin);
  }
  // cargo reports targets as they finish; the summary and outputs follow the request order.
  for (const c of collisions) c.packages.sort();
  if (collisions.length > 0) throw new ActionError(collisionMessage(collisions), 'build');
  return out.sort((a, b) => triples.indexOf(a.target) - triples.indexOf(b.target));
}

function collisionMessage(collisions: readonly BinCollision[]): string {
  const each = collisions.map(
    (c) =>
      `packages ${c.packages.map((p) => `'${p}'`).join(' and ')} both have a bin named '${c.name}' (${c.target}); cargo wrote them to the same file, so one would ship under the other's name`,
  );
  const c = collisions[0] as BinCollision;
  return `${each.join('; ')}. Build one of them per run: set the 'package' input (e.g. 'package: ${c.packages[0]}'), or rename one [[bin]]; the 'bin' input alone cannot pick one, both are named '${c.name}'`;
}

function addCollision(collisions: BinCollision[], first: BuiltBinary, next: BuiltBinary): void {
  const known = collisions.find((c) => c.target === first.target && c.name === first.name);
  if (!known) {
    collisions.push({
      target: first.target,
      name: first.name,
      packages: [first.package, next.package],
    });
  } else if (!known.packages.includes(next.package)) known.packages.push(next.package);
}
