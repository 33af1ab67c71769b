/**
 * Debian version comparison, dpkg's own algorithm (lib/dpkg/version.c `dpkg_version_compare`):
 * `[epoch:]upstream[-revision]`, each part compared by alternating non-digit and digit runs,
 * where `~` sorts before everything (even the end of the string) and letters before other marks.
 */

export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export type Relation = '<<' | '<=' | '=' | '>=' | '>>';

export function parseVersion(text: string): DebVersion {
  const v = text.trim();
  const colon = v.indexOf(':');
  let epoch = 0;
  let rest = v;
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d+$/.test(e)) throw new Error(`bad epoch in version '${text}'`);
    epoch = Number(e);
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '' || !/^[0-9]/.test(upstream)) {
    throw new Error(`version '${text}' does not start with a digit`);
  }
  if (!/^[A-Za-z0-9.+~:-]+$/.test(upstream) || !/^[A-Za-z0-9.+~]*$/.test(revision)) {
    throw new Error(`invalid character in version '${text}'`);
  }
  return { epoch, upstream, revision };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's `order()`: `~` < end of string < letters < other characters; digits never reach it. */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1; // '~'
  return c + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while (
      (i < a.length && !isDigit(a.charCodeAt(i))) ||
      (j < b.length && !isDigit(b.charCodeAt(j)))
    ) {
      const ac = order(i < a.length ? a.charCodeAt(i) : undefined);
      const bc = order(j < b.length ? b.charCodeAt(j) : undefined);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (i < a.length && j < b.length && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Negative, zero or positive as `a` sorts before, equal to or after `b`. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  const up = verrevcmp(va.upstream, vb.upstream);
  if (up) return up;
  return verrevcmp(va.revision, vb.revision);
}

/** The obsolete `<` and `>` mean `<=` and `>=` (deb-control(5)), as dpkg still reads them. */
export function normaliseRelation(op: string): Relation {
  const map: Record<string, Relation> = {
    '<<': '<<',
    '<=': '<=',
    '<': '<=',
    '=': '=',
    '>=': '>=',
    '>': '>=',
    '>>': '>>',
  };
  const r = map[op];
  if (!r) throw new Error(`unknown version relation '${op}'`);
  return r;
}

export function satisfies(version: string, op: Relation, wanted: string): boolean {
  const c = compareVersions(version, wanted);
  switch (op) {
    case '<<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>>':
      return c > 0;
  }
}
