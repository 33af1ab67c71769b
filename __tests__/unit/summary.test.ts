import { describe, expect, test } from '@jest/globals';
import { actionOutputs } from '../../src/outputs.js';
import { renderSummary, type RunReport } from '../../src/summary.js';
import type { CheckedBinary } from '../../src/verify/binaries.js';

const bin = (over: Partial<CheckedBinary>): CheckedBinary => ({
  target: 'aarch64-unknown-linux-gnu',
  name: 'app',
  path: '/t/bin/aarch64-unknown-linux-gnu/app',
  builtPath: '/w/target/aarch64-unknown-linux-gnu/release/app',
  package: 'app',
  version: '1.0.0',
  stripped: true,
  sha256: 'ab'.repeat(32),
  boards: ['pi4', 'pi5'],
  size: 2 * 1048576,
  facts: {
    arch: 'aarch64',
    cpuArch: 'v8',
    floatAbi: 'n/a',
    glibcNeeded: '2.28',
    runsOn: ['buster', 'bullseye', 'bookworm', 'trixie'],
    linkage: 'dynamic',
    interpreter: '/lib/ld-linux-aarch64.so.1',
    needed: ['libc.so.6'],
  },
  findings: [],
  smoke: {
    ok: true,
    firstLine: 'app 1.0 | ok',
    problem: null,
    ms: 40,
    ran: { how: 'qemu', cpu: 'cortex-a72' },
  },
  verdict: 'passed',
  ...over,
});

const report = (binaries: CheckedBinary[]): RunReport => ({
  piOs: 'bullseye',
  glibcFloor: '2.31',
  binaries,
  toolchains: [
    {
      triple: 'aarch64-unknown-linux-gnu',
      linker: 'gcc',
      id: 'bootlin-aarch64-glibc-2020.08-1',
      origin: 'actions-cache',
      dir: '/tc',
      sysroot: '/tc/sysroot',
    },
    {
      triple: 'arm-unknown-linux-musleabihf',
      linker: 'rust-lld',
      id: null,
      origin: null,
      dir: null,
      sysroot: null,
    },
  ],
  archives: [
    {
      target: 'aarch64-unknown-linux-gnu',
      path: '/o/app-1.0.0-aarch64.tar.gz',
      sha256: 'cd'.repeat(32),
    },
  ],
  artifacts: [
    {
      name: 'app-aarch64',
      id: 7,
      url: 'https://github.com/o/r/actions/runs/1/artifacts/7',
      size: 1000,
    },
  ],
  stages: [
    ['Build', 12345],
    ['Verify binaries', 80],
  ],
});

describe('renderSummary', () => {
  test('one row per binary with its facts, escaped for markdown tables', () => {
    const md = renderSummary(report([bin({})]));
    expect(md).toContain(
      '| `aarch64-unknown-linux-gnu` | pi4, pi5 | <code>app</code> (stripped) | 2.0 MiB | 2.28 (2.31) | buster, bullseye, bookworm, trixie | `abababababab` | ✅ passed | ✅ <code>app 1.0 &#124; ok</code> (qemu -cpu cortex-a72) |',
    );
    expect(md).toContain(
      '- `aarch64-unknown-linux-gnu`: <code>bootlin-aarch64-glibc-2020.08-1</code>, from the actions-cache',
    );
    expect(md).toContain(
      "- `arm-unknown-linux-musleabihf`: rust-lld (Rust's self-contained musl), no download",
    );
    expect(md).toContain(
      '- [app-aarch64](https://github.com/o/r/actions/runs/1/artifacts/7) (1 KiB)',
    );
    expect(md).toContain('| Build | 12.3 |');
    expect(md).not.toContain('### Findings');
    expect(md).not.toContain('### Smoke runs');
  });
  test('a native run says so in its cell and, once per note, what it did not prove', () => {
    const note = 'aarch64-unknown-linux-gnu: runs natively on this linux/arm64 host';
    const ran = { how: 'native', note } as const;
    const md = renderSummary(
      report([
        bin({ smoke: { ...bin({}).smoke!, ran } }),
        bin({ name: 'two', smoke: { ...bin({}).smoke!, ran } }),
      ]),
    );
    expect(md).toContain('✅ <code>app 1.0 &#124; ok</code> (native) |');
    expect(md).not.toContain('qemu -cpu');
    const section = md.slice(md.indexOf('### Smoke runs'));
    expect(section.split('\n').filter((l) => l.startsWith('- '))[0]).toBe(
      '- aarch64-unknown-linux-gnu&#58; runs natively on this linux/arm64 host',
    );
    expect(md.split('runs natively').length - 1).toBe(1);
  });
  test('static binaries, failures and findings', () => {
    const md = renderSummary(
      report([
        bin({
          facts: { ...bin({}).facts!, glibcNeeded: null, linkage: 'static' },
          verdict: 'failed',
          smoke: null,
          findings: [{ code: 'cpu-too-new', severity: 'error', message: 'ARMv7 code | in ARMv6' }],
        }),
      ]),
    );
    expect(md).toContain('| none (static) |');
    expect(md).toContain('| ❌ failed | — |');
    expect(md).toContain(
      '- **aarch64-unknown-linux-gnu/app** `cpu-too-new`: ARMv7 code &#124; in ARMv6',
    );
  });
});

describe('renderSummary: text from the build is shown, never read as Markdown or HTML', () => {
  const hostile = [
    'x` <img src=https://evil.example/p.png> `',
    '[click](https://evil.example) ![i](https://evil.example/i.png)',
    'a | b | c',
    '<details open><summary>hi</summary>',
    '**bold** _it_ ~~s~~ @someone #1 https://evil.example/auto',
    'line one\nline two\r\n| --- |',
    '\\` &amp; &#96; 𝄞',
  ];
  // What a Markdown renderer shows for a numeric character reference is the character itself.
  const decode = (s: string) =>
    s.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));

  test.each(hostile)('%j in every place the build writes', (evil) => {
    const md = renderSummary({
      ...report([
        bin({
          name: evil,
          smoke: {
            ok: true,
            firstLine: evil,
            problem: null,
            ms: 1,
            ran: { how: 'native', note: evil },
          },
          findings: [{ code: 'cpu-too-new', severity: 'error', message: evil }],
        }),
      ]),
      toolchains: [{ ...report([]).toolchains[0]!, id: evil, note: evil }],
      archives: [{ target: 't', path: `/o/${evil}`, sha256: 'cd'.repeat(32) }],
      artifacts: [{ name: evil, id: 1, url: `https://github.com/o/r/${evil}`, size: 1 }],
    });
    // Only the summary's own syntax is left: no tag, link, image, emphasis or code span of theirs.
    for (const raw of ['<img', '<details', '](', '![', '**bold', '_it_', '~~', '@someone', '&amp;'])
      expect(md).not.toContain(raw);
    expect(md).not.toContain('https://evil');
    // The table row keeps its nine cells: no `|` or newline of theirs splits it.
    const row = md.split('\n').find((l) => l.startsWith('| `aarch64'))!;
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(9);
    // And what is shown is what the build wrote (newlines as spaces).
    const shown = evil.replace(/\r\n|\r|\n/g, ' ');
    expect(decode(md)).toContain(`<code>${shown}</code>`);
    expect(decode(md)).toContain(`: ${shown}`);
  });

  test('an artifact URL that is not a plain https URL is not made a link', () => {
    const md = (url: string) =>
      renderSummary({
        ...report([]),
        artifacts: [{ name: 'a', id: 1, url, size: 1024 }],
      });
    expect(md('https://github.com/o/r/actions/runs/1/artifacts/7')).toContain(
      '[a](https://github.com/o/r/actions/runs/1/artifacts/7)',
    );
    for (const url of ['javascript:alert(1)', 'http://x.example/a', 'https://x.example/a) [b](c'])
      expect(md(url)).toContain('- a (1 KiB)');
  });
});

describe('actionOutputs', () => {
  test('binaries JSON and newline lists', () => {
    const r = report([bin({})]);
    const out = actionOutputs(['aarch64-unknown-linux-gnu'], r.toolchains, r.binaries, {
      packaged: { archives: r.archives, checksumsPath: '/o/SHA256SUMS' },
      artifacts: r.artifacts,
    });
    expect(JSON.parse(out.binaries as string)).toEqual([
      {
        target: 'aarch64-unknown-linux-gnu',
        name: 'app',
        path: '/t/bin/aarch64-unknown-linux-gnu/app',
        package: 'app',
        version: '1.0.0',
        size: 2097152,
        sha256: 'ab'.repeat(32),
        glibc: '2.28',
        piOs: ['buster', 'bullseye', 'bookworm', 'trixie'],
        boards: ['pi4', 'pi5'],
        verified: 'passed',
        smoke: { ok: true, how: 'qemu', cpu: 'cortex-a72' },
      },
    ]);
    const native = bin({
      smoke: { ...bin({}).smoke!, ok: false, ran: { how: 'native', note: 'n' } },
    });
    const nout = actionOutputs([], [], [native, bin({ smoke: null })], null);
    expect(JSON.parse(nout.binaries as string).map((b: { smoke: unknown }) => b.smoke)).toEqual([
      { ok: false, how: 'native', cpu: null },
      null,
    ]);
    expect(out.archives).toBe('/o/app-1.0.0-aarch64.tar.gz');
    expect(out.checksums).toBe('/o/SHA256SUMS');
    expect(out['artifact-ids']).toBe('7');
    expect(actionOutputs([], [], [], null)).toMatchObject({
      archives: '',
      checksums: '',
      'artifact-urls': '',
    });
  });
});
