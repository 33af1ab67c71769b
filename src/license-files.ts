/**
 * Which files of a crate ship in its archive without being asked for: its README, its licence
 * texts and notices, and the file its Cargo.toml names as `license-file`.
 */

/** File-name beginnings (any case) of the documents every archive carries. */
export const DOC_PREFIXES = ['README', 'LICENSE', 'LICENCE', 'UNLICENSE', 'COPYING', 'NOTICE'];

/** `LICENSE-MIT`, `COPYING.LESSER`, `UNLICENSE`, `notice.txt`…; not `LICENSES/` (a file test is the caller's). */
export function isDocName(name: string): boolean {
  const upper = name.toUpperCase();
  return DOC_PREFIXES.some((p) => upper.startsWith(p));
}

/** One TOML string value: basic ("…", JSON-like escapes) or literal ('…'). */
function tomlString(raw: string): string | null {
  if (raw.startsWith("'")) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return null;
  }
}

/**
 * `license-file` of the `[package]` table of a Cargo.toml, or null (absent, or inherited from the
 * workspace with `license-file.workspace = true`). Only the plain `key = "string"` form is read.
 */
export function cargoLicenseFile(toml: string): string | null {
  let inPackage = false;
  for (const line of toml.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) {
      inPackage = header[1] === 'package';
      continue;
    }
    if (!inPackage) continue;
    const m =
      /^\s*(?:"license-file"|license-file)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*(?:#.*)?$/.exec(
        line,
      );
    if (m) return tomlString(m[1] as string);
  }
  return null;
}
