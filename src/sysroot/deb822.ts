/**
 * deb822 (Release, Packages) and dependency-field parsing: pure text in, plain data out.
 */
import { normaliseRelation, type Relation } from './version.js';

export type Paragraph = Record<string, string>;

/**
 * Paragraphs separated by blank lines; a line starting with space or tab continues the field
 * above (kept on its own line so multi-line fields such as `SHA256` stay line-oriented).
 */
export function parseParagraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let cur: Paragraph | null = null;
  let key: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      cur = null;
      key = null;
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (cur && key) cur[key] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (!cur) {
      cur = {};
      out.push(cur);
    }
    key = line.slice(0, colon);
    cur[key] = line.slice(colon + 1).trim();
  }
  return out;
}

export interface ReleaseFile {
  sha256: string;
  size: number;
}

export interface ReleaseInfo {
  fields: Paragraph;
  /** Path relative to `dists/<suite>/` → its size and SHA256, from the `SHA256:` list. */
  files: Map<string, ReleaseFile>;
  components: string[];
  architectures: string[];
  validUntil: Date | null;
  acquireByHash: boolean;
}

/** The signed text of an InRelease (already verified) → its file list and freshness facts. */
export function parseRelease(text: string): ReleaseInfo {
  const [fields = {}] = parseParagraphs(text);
  const files = new Map<string, ReleaseFile>();
  for (const line of (fields['SHA256'] ?? '').split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 3) continue;
    const [sha256, size, name] = parts as [string, string, string];
    if (!/^[0-9a-f]{64}$/i.test(sha256) || !/^\d+$/.test(size)) continue;
    files.set(name, { sha256: sha256.toLowerCase(), size: Number(size) });
  }
  const list = (k: string): string[] => (fields[k] ?? '').split(/\s+/).filter(Boolean);
  let validUntil: Date | null = null;
  if (fields['Valid-Until'] !== undefined) {
    validUntil = parseReleaseDate(fields['Valid-Until']);
    if (!validUntil) throw new Error(`unreadable Valid-Until '${fields['Valid-Until']}'`);
  }
  return {
    fields,
    files,
    // Security suites list `updates/main`; apt reads the last path element as the component.
    components: list('Components').map((c) => c.split('/').pop() as string),
    architectures: list('Architectures'),
    validUntil,
    acquireByHash: (fields['Acquire-By-Hash'] ?? '').toLowerCase() === 'yes',
  };
}

/** RFC 2822 dates as Release files write them ("Sat, 10 Jun 2023 09:26:25 UTC"). */
export function parseReleaseDate(text: string): Date | null {
  const ms = Date.parse(text.replace(/\bUTC$/, 'GMT'));
  return Number.isNaN(ms) ? null : new Date(ms);
}

export interface DepAlternative {
  name: string;
  /** `:any`, `:native` or an architecture; null when unqualified. */
  archQualifier: string | null;
  relation: Relation | null;
  version: string | null;
}

/** One comma-separated item: alternatives joined by `|`. */
export type DepGroup = DepAlternative[];

const ALT =
  /^([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|>=|>>|<|>|=)\s*([^\s)]+)\s*\))?\s*(?:\[[^\]]*\]\s*)?(?:<[^>]*>\s*)*$/;

/** `Depends:`-style field → groups of alternatives. Throws on an item it cannot read. */
export function parseDepends(field: string | undefined): DepGroup[] {
  if (!field) return [];
  const groups: DepGroup[] = [];
  for (const item of field.replace(/\n/g, ' ').split(',')) {
    if (!item.trim()) continue;
    const group: DepGroup = [];
    for (const alt of item.split('|')) {
      const m = ALT.exec(alt.trim());
      if (!m) throw new Error(`unreadable dependency '${alt.trim()}'`);
      group.push({
        name: m[1] as string,
        archQualifier: m[2] ?? null,
        relation: m[3] ? normaliseRelation(m[3]) : null,
        version: m[4] ?? null,
      });
    }
    groups.push(group);
  }
  return groups;
}

export function formatAlternative(a: DepAlternative): string {
  return a.relation ? `${a.name} (${a.relation} ${a.version})` : a.name;
}

export function formatGroup(g: DepGroup): string {
  return g.map(formatAlternative).join(' | ');
}
