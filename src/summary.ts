import type { ToolchainUse } from './toolchain/prepare.js';
import type { CheckedBinary } from './verify/binaries.js';
import { providers, type PackageFiles } from './sysroot/plan.js';
import type { UploadedArtifact } from './upload.js';

export interface RunReport {
  piOs: string;
  glibcFloor: string;
  binaries: CheckedBinary[];
  toolchains: ToolchainUse[];
  archives: { target: string; path: string; sha256: string }[];
  artifacts: UploadedArtifact[];
  /** Stage name → milliseconds, in pipeline order. */
  stages: [string, number][];
  /** `sysroot-packages`, per target. */
  sysroots?: SysrootReport[];
}

export interface SysrootReport {
  triple: string;
  resolved: readonly string[];
  packages: readonly PackageFiles[];
}

/**
 * Text that comes from the build — binary and file names, program output, verifier findings,
 * toolchain notes — is shown and never read: GitHub renders the summary as Markdown with HTML, so
 * a backtick, `[x](url)`, `<img>` or `|` in it would otherwise close a code span, add a link or an
 * image, or split a table cell. Everything but plain letters, digits and a few inert signs becomes
 * a numeric character reference, which both Markdown and HTML show as the character itself.
 */
export const mdText = (s: string): string =>
  s
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[^A-Za-z0-9 .,\-/=+()]/gu, (c) => `&#${c.codePointAt(0) ?? 0};`);
/** mdText as inline code: `<code>`, because a backtick span cannot hold every string. */
const mdCode = (s: string): string => `<code>${mdText(s)}</code>`;
/** Only an https link of plain URL characters becomes a link; anything else is shown as text. */
const mdLink = (label: string, url: string | undefined): string =>
  url && /^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~\-/%]*)?$/.test(url)
    ? `[${mdText(label)}](${url})`
    : mdText(label);
const mib = (n: number) =>
  n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
const VERDICT = {
  passed: '✅ passed',
  failed: '❌ failed',
  warned: '⚠️ failed (verify: warn)',
  skipped: '➖ not checked',
} as const;

/** The job summary as markdown: pure, so it is tested without a runner. */
export function renderSummary(r: RunReport): string {
  const out = ['## Raspberry Pi cross build', ''];
  out.push(
    '| target | Pi boards | binary | size | glibc needed (floor) | runs on Pi OS | sha256 | verified | smoke run |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const b of r.binaries) {
    const glibc = b.facts
      ? b.facts.glibcNeeded
        ? `${b.facts.glibcNeeded} (${r.glibcFloor})`
        : 'none (static)'
      : '?';
    const runsOn = b.facts ? b.facts.runsOn.join(', ') || '—' : '?';
    const smoke = b.smoke
      ? `${b.smoke.ok ? '✅' : '❌'} ${mdCode(b.smoke.firstLine.slice(0, 80))} (${b.smoke.ran.how === 'qemu' ? `qemu -cpu ${mdText(b.smoke.ran.cpu)}` : 'native'})`
      : '—';
    out.push(
      `| \`${b.target}\` | ${b.boards.join(', ')} | ${mdCode(b.name)}${b.stripped ? ' (stripped)' : ''} | ${mib(b.size)} | ${glibc} | ${runsOn} | \`${b.sha256.slice(0, 12)}\` | ${VERDICT[b.verdict]} | ${smoke} |`,
    );
  }
  const problems = r.binaries.flatMap((b) =>
    b.findings.map(
      (f) => `- **${b.target}/${mdText(b.name)}** \`${f.code}\`: ${mdText(f.message)}`,
    ),
  );
  if (problems.length) out.push('', '### Findings', '', ...problems);
  // A native run proves less than qemu with the board's CPU: said where the ✅ is read.
  const native = new Set(
    r.binaries.flatMap((b) => (b.smoke?.ran.how === 'native' ? [b.smoke.ran.note] : [])),
  );
  if (native.size) out.push('', '### Smoke runs', '', ...[...native].map((n) => `- ${mdText(n)}`));
  out.push('', `Pi OS floor: **${r.piOs}** (glibc ${r.glibcFloor}).`, '', '### Toolchains', '');
  for (const t of r.toolchains) {
    const from =
      t.origin === 'download' ? 'downloaded' : t.origin ? `from the ${t.origin}` : 'no download';
    const what =
      t.linker === 'rust-lld'
        ? "rust-lld (Rust's self-contained musl)"
        : `${t.linker === 'zig' ? '`zig` ' : ''}${mdCode(t.id ?? '')}`;
    out.push(`- \`${t.triple}\`: ${what}, ${from}${t.note ? ` — ${mdText(t.note)}` : ''}`);
  }
  const sysroots = r.sysroots ?? [];
  if (sysroots.length) {
    out.push('', '### Sysroot packages', '');
    for (const s of sysroots) {
      out.push(`- \`${s.triple}\`: ${s.resolved.map((p) => mdCode(p)).join(', ')}`);
    }
    const rows = r.binaries.flatMap((b) => {
      const s = sysroots.find((x) => x.triple === b.target);
      if (!s || !b.facts) return [];
      return providers(b.facts.needed, s.packages).map(
        (p) =>
          `| \`${b.target}\` | ${mdCode(b.name)} | ${mdCode(p.soname)} | ${mdCode(`apt install ${p.package}`)} (${mdText(p.version)}) |`,
      );
    });
    if (rows.length) {
      out.push('', 'On the Pi, each binary needs:', '');
      out.push('| target | binary | NEEDED | provided by |', '| --- | --- | --- | --- |', ...rows);
    }
  }
  if (r.archives.length) {
    out.push('', '### Files', '');
    for (const a of r.archives)
      out.push(`- ${mdCode(a.path.split('/').pop() ?? '')} sha256 ${mdCode(a.sha256)}`);
  }
  if (r.artifacts.length) {
    out.push('', '### Artifacts', '');
    for (const a of r.artifacts) out.push(`- ${mdLink(a.name, a.url)} (${mib(a.size)})`);
  }
  out.push('', '### Time per stage', '', '| stage | seconds |', '| --- | --- |');
  for (const [name, ms] of r.stages) out.push(`| ${mdText(name)} | ${(ms / 1000).toFixed(1)} |`);
  return `${out.join('\n')}\n`;
}
