/** What the CLI prints as results: the terminal table, JSON, shell exports. Pure. */
import type { RunReport } from '../summary.js';
import { shellQuote, showValue } from '../log-text.js';
import { green, red, yellow } from './log.js';

const size = (n: number) =>
  n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;

const VERDICT = {
  passed: 'passed',
  failed: 'FAILED',
  warned: 'failed (warn)',
  skipped: 'not checked',
};

/** Columns padded to their widest cell; colour codes do not count towards the width. */
function columns(rows: string[][], color: (r: number, c: number, s: string) => string): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r, ri) =>
      r
        .map((cell, c) => color(ri, c, c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The job summary's table for a terminal: one row per binary, then the files written. */
export function renderTable(
  r: RunReport,
  files: { archives: string[]; checksums: string | null },
  color: boolean,
): string {
  const rows = [['board', 'triple', 'binary', 'size', 'glibc (floor)', 'verdict', 'smoke run']];
  for (const b of r.binaries) {
    const glibc = b.facts
      ? b.facts.glibcNeeded
        ? `${b.facts.glibcNeeded} (${r.glibcFloor})`
        : 'static'
      : '?';
    const smoke = b.smoke
      ? `${b.smoke.ok ? 'ok' : 'FAILED'}: ${showValue(b.smoke.firstLine).slice(0, 80)}`
      : '-';
    rows.push([
      b.boards.join(','),
      b.target,
      showValue(b.name),
      size(b.size),
      glibc,
      VERDICT[b.verdict],
      smoke,
    ]);
  }
  const verdictColor = (s: string) =>
    s.startsWith('passed')
      ? green(color, s)
      : s.startsWith('FAILED')
        ? red(color, s)
        : yellow(color, s);
  const table = columns(rows, (ri, c, s) => (ri > 0 && c === 5 ? verdictColor(s) : s));
  const out = [table, '', `Pi OS floor: ${r.piOs} (glibc ${r.glibcFloor})`];
  if (files.archives.length) out.push(...files.archives.map((a) => `  ${a}`));
  if (files.checksums) out.push(`  ${files.checksums}`);
  return `${out.join('\n')}\n`;
}

/** Shell syntax for the `env` command's exports. */
export function renderExports(vars: Record<string, string>, syntax: 'sh' | 'fish'): string {
  const lines = Object.entries(vars).map(([k, v]) =>
    syntax === 'fish' ? `set -gx ${k} ${fishQuote(v)}` : `export ${k}=${shellQuote(v)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** fish's single quotes: only \\ and \' are escapes inside them; `##[` is split ('#''#['). */
export function fishQuote(v: string): string {
  return `'${v.replace(/[\\']/g, (c) => `\\${c}`).replace(/##\[/g, "#''#[")}'`;
}
