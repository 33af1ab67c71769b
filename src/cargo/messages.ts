/** An executable cargo reported building, attributed to the target it was built for. */
export interface BuiltBinary {
  target: string;
  name: string;
  path: string;
}

interface ArtifactMessage {
  reason?: string;
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
    if (!out.some((b) => b.path === exe))
      out.push({ target, name: msg.target.name ?? exe, path: exe });
  }
  return out;
}
