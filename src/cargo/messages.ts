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

/**
 * Picks the `bin` executables out of cargo's JSON messages. The executable's own path says which
 * `--target` it belongs to (`<target-dir>/<triple>/<profile>/<name>`); nothing else is guessed.
 */
export function collectBinaries(
  lines: readonly string[],
  triples: readonly string[],
): BuiltBinary[] {
  const out: BuiltBinary[] = [];
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
    const target = triples.find((t) => exe.split(/[\\/]/).includes(t));
    if (!target) continue;
    if (out.some((b) => b.path === exe)) continue;
    out.push({
      target,
      name: msg.target.name ?? exe,
      path: exe,
      ...parsePackageId(msg.package_id ?? ''),
    });
  }
  // cargo reports targets as they finish; the summary and outputs follow the request order.
  return out.sort((a, b) => triples.indexOf(a.target) - triples.indexOf(b.target));
}
