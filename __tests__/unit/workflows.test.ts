import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { REPO } from '../helpers/test-env.js';

// Workflow hygiene, checked line by line (no YAML dependency): third-party actions pinned by
// commit SHA, least-privilege `permissions:`, and checkout without a persisted token.

const WORKFLOWS = path.join(REPO, '.github', 'workflows');

interface Line {
  /** 1-based line number. */
  n: number;
  text: string;
  indent: number;
}

function lines(text: string): Line[] {
  return text.split('\n').map((t, i) => ({
    n: i + 1,
    text: t,
    indent: (/^ */.exec(t) as RegExpExecArray)[0].length,
  }));
}

/** Blank and comment-only lines say nothing about the YAML structure. */
const isContent = (l: Line) => l.text.trim() !== '' && !l.text.trim().startsWith('#');

/** The value of `key:` on this line (quotes and trailing comment removed), if it is that key. */
function valueOf(l: Line, key: string): string | undefined {
  const m = new RegExp(`^\\s*(?:-\\s+)?${key}:\\s*(.*)$`).exec(l.text);
  if (!m) return undefined;
  return (m[1] as string)
    .replace(/\s+#.*$/, '')
    .trim()
    .replace(/^(['"])(.*)\1$/, '$2');
}

/** `uses:` references that are neither local (./) nor pinned to a full commit SHA. */
function unpinnedUses(text: string): string[] {
  const bad: string[] = [];
  for (const l of lines(text)) {
    const ref = valueOf(l, 'uses');
    if (ref === undefined || ref.startsWith('./') || ref.startsWith('../')) continue;
    const pinned = ref.startsWith('docker://')
      ? /@sha256:[0-9a-f]{64}$/.test(ref)
      : /^[\w.-]+\/[\w.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/.test(ref);
    if (!pinned) bad.push(`line ${l.n}: ${ref}`);
  }
  return bad;
}

/** The lines of the block that starts at `start` (deeper-indented lines that follow it). */
function blockAfter(all: Line[], start: number, indent: number): Line[] {
  const out: Line[] = [];
  for (let i = start + 1; i < all.length; i++) {
    const l = all[i] as Line;
    if (isContent(l) && l.indent <= indent) break;
    out.push(l);
  }
  return out;
}

/** Whether the line itself, or the comment lines right above it, explain it. */
function commented(all: Line[], i: number): boolean {
  const l = all[i] as Line;
  if (/\s#\s*\S/.test(l.text)) return true;
  const above = all[i - 1];
  return above !== undefined && /^\s*#\s*\S/.test(above.text);
}

/** Problems with `permissions:`: none at the top level, or a write grant without a comment. */
function permissionProblems(text: string): string[] {
  const all = lines(text);
  const bad: string[] = [];
  const top = all.findIndex((l) => l.indent === 0 && valueOf(l, 'permissions') !== undefined);
  if (top < 0) bad.push('no top-level permissions: block');
  all.forEach((l, i) => {
    const v = valueOf(l, 'permissions');
    if (v === undefined) return;
    // `write-all`, or a flow mapping such as `{ contents: write }`.
    if (/\bwrite\b/.test(v) && !commented(all, i))
      bad.push(`line ${l.n}: ${v} without a comment saying why`);
    if (v !== '') return;
    const block = blockAfter(all, i, l.indent);
    for (const b of block) {
      const m = /^\s*([\w-]+):\s*(['"]?)(\w+)\2/.exec(b.text);
      if (m && m[3] === 'write' && !commented(all, all.indexOf(b)))
        bad.push(`line ${b.n}: ${m[1] as string}: write without a comment saying why`);
    }
  });
  return bad;
}

/** actions/checkout steps that do not set `persist-credentials: false`. */
function checkoutProblems(text: string): string[] {
  const all = lines(text);
  const bad: string[] = [];
  all.forEach((l, i) => {
    const ref = valueOf(l, 'uses');
    if (ref === undefined || !/^actions\/checkout@/.test(ref)) return;
    // The step is the list item holding this `uses:`: from its `- ` to the next sibling.
    let item = i;
    while (item > 0 && !/^\s*-\s/.test((all[item] as Line).text)) item--;
    const dash = (all[item] as Line).indent;
    const step = [all[item] as Line, ...blockAfter(all, item, dash)];
    const ok = step.some((s) => valueOf(s, 'persist-credentials') === 'false');
    if (!ok) bad.push(`line ${l.n}: ${ref} without persist-credentials: false`);
  });
  return bad;
}

const files = fs.existsSync(WORKFLOWS)
  ? fs
      .readdirSync(WORKFLOWS)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
  : [];

describe('the repository workflows', () => {
  test('there are workflows to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  describe.each(files)('%s', (file) => {
    const text = fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');

    test('third-party actions are pinned to a 40-hex commit SHA', () => {
      expect(unpinnedUses(text)).toEqual([]);
    });

    test('top-level permissions, and no write grant without a comment saying why', () => {
      expect(permissionProblems(text)).toEqual([]);
    });

    test('every actions/checkout has persist-credentials: false', () => {
      expect(checkoutProblems(text)).toEqual([]);
    });
  });
});

/** Rows of [what, workflow text, expected problem count] as named test cases. */
const table = (rows: [string, string, number][]) =>
  rows.map(([what, text, count]) => ({ what, text, count }));

describe('the checks catch what they are for', () => {
  const SHA = '08eba0b27e820071cde6df949e0beb9ba4906955';

  test.each([
    ['      - uses: actions/checkout@v4', 1],
    ['      - uses: actions/checkout@main', 1],
    ['      - uses: actions/checkout@08eba0b', 1],
    ['      - uses: github/codeql-action/init@v3', 1],
    ['      - uses: docker://alpine:3.20', 1],
    [`      - uses: actions/checkout@${SHA} # v4.3.0`, 0],
    [`      - uses: 'github/codeql-action/init@${SHA}'`, 0],
    ['      - uses: ./', 0],
    ['        uses: ./.github/actions/setup', 0],
    [`      - uses: docker://alpine@sha256:${'ab'.repeat(32)}`, 0],
  ])('uses %j → %i problem(s)', (line, count) => {
    expect(unpinnedUses(`jobs:\n  x:\n    steps:\n${line}\n`)).toHaveLength(count);
  });

  test.each(
    table([
      ['no permissions at all', 'on: push\njobs:\n  a:\n    runs-on: x\n', 1],
      ['only job-level permissions', 'jobs:\n  a:\n    permissions:\n      contents: read\n', 1],
      ['read only', 'permissions:\n  contents: read\njobs: {}\n', 0],
      ['empty map', 'permissions: {}\njobs: {}\n', 0],
      ['write without a reason', 'permissions:\n  contents: write\n', 1],
      ['write-all', 'permissions: write-all\n', 1],
      ['write in a flow mapping', 'permissions: { contents: read, packages: write }\n', 1],
      ['read-all', 'permissions: read-all\n', 0],
      [
        'write with a reason above',
        'permissions:\n  # releases upload assets\n  contents: write\n',
        0,
      ],
      ['write with a reason inline', 'permissions:\n  id-token: write # OIDC for the cache\n', 0],
      [
        'job-level write without a reason',
        'permissions:\n  contents: read\njobs:\n  a:\n    permissions:\n      packages: write\n',
        1,
      ],
      ['quoted write', "permissions:\n  contents: 'write'\n", 1],
    ]),
  )('$what → $count problem(s)', ({ text, count }) => {
    expect(permissionProblems(text)).toHaveLength(count);
  });

  const step = (...extra: string[]) =>
    ['jobs:', '  a:', '    steps:', ...extra, '      - run: echo hi', ''].join('\n');

  test.each(
    table([
      ['checkout without with:', step(`      - uses: actions/checkout@${SHA}`), 1],
      [
        'checkout with other settings',
        step(`      - uses: actions/checkout@${SHA}`, '        with:', '          fetch-depth: 0'),
        1,
      ],
      [
        'persist-credentials: true',
        step(
          `      - uses: actions/checkout@${SHA}`,
          '        with:',
          '          persist-credentials: true',
        ),
        1,
      ],
      [
        'the next step has it, not this one',
        step(
          `      - uses: actions/checkout@${SHA}`,
          `      - uses: actions/checkout@${SHA}`,
          '        with:',
          '          persist-credentials: false',
        ),
        1,
      ],
      [
        'persist-credentials: false',
        step(
          `      - uses: actions/checkout@${SHA}`,
          '        with:',
          '          persist-credentials: false',
        ),
        0,
      ],
      [
        'named step, uses below the dash, quoted false',
        step(
          '      - name: Check out',
          `        uses: actions/checkout@${SHA} # v4`,
          '        with:',
          "          persist-credentials: 'false'",
        ),
        0,
      ],
    ]),
  )('$what → $count problem(s)', ({ text, count }) => {
    expect(checkoutProblems(text)).toHaveLength(count);
  });
});
