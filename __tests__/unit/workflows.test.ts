import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { resolveTargets } from '../../src/targets/resolve.js';
import { DEFAULT_PI_OS, PI_OS, TARGETS, type TargetSpec } from '../../src/targets/table.js';
import { chooseLinker, lockfileBuildsC } from '../../src/toolchain/prepare.js';
import { loadManifest, type GccToolchainEntry } from '../../src/toolchain/manifest.js';
import { selectToolchain } from '../../src/toolchain/select.js';
import { hostRun } from '../../src/zig/host-run.js';
import { FIXTURES, REPO } from '../helpers/test-env.js';

// Workflow hygiene, checked line by line (no YAML dependency): third-party actions pinned by
// commit SHA, least-privilege `permissions:`, checkout without a persisted token, and no
// `${{ }}` expression pasted into a `run:` script (where it becomes shell code; env is data).

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

/** `run:` scripts with a `${{ }}` expression in them: the value would be pasted in as code. */
function expressionsInRun(text: string): string[] {
  const all = lines(text);
  const bad: string[] = [];
  all.forEach((l, i) => {
    const v = valueOf(l, 'run');
    if (v === undefined) return;
    // A block scalar (`|`, `>-`, …) is the deeper-indented lines after the key.
    const script = /^[|>][+-]?$/.test(v) ? blockAfter(all, i, l.indent) : [l];
    for (const s of script) if (s.text.includes('${{')) bad.push(`line ${s.n}: ${s.text.trim()}`);
  });
  return bad;
}

type Row = Readonly<Record<string, string>>;

/**
 * The rows of `strategy.matrix.include`, written as block mappings (`- key: value` and
 * `key: value` lines below it). Anything else there is reported, so a change of style cannot
 * make the rows vanish from these checks.
 */
function matrixRows(text: string): { rows: Row[]; unread: string[] } {
  const all = lines(text);
  const at = all.findIndex((l) => valueOf(l, 'include') === '');
  if (at < 0) return { rows: [], unread: ['no matrix include: list'] };
  const rows: Record<string, string>[] = [];
  const unread: string[] = [];
  let dash = -1;
  for (const l of blockAfter(all, at, (all[at] as Line).indent).filter(isContent)) {
    const m = /^(\s*)(-\s+)?([\w-]+):\s*(.*)$/.exec(l.text);
    const item = m?.[2] !== undefined;
    if (m && item && (dash < 0 || l.indent === dash)) {
      dash = l.indent;
      rows.push({});
    } else if (!m || item || rows.length === 0 || l.indent !== dash + 2) {
      unread.push(`line ${l.n}: ${l.text.trim()}`);
      continue;
    }
    const key = (m as RegExpExecArray)[3] as string;
    (rows[rows.length - 1] as Record<string, string>)[key] = valueOf(l, key) as string;
  }
  return { rows, unread };
}

/** Each job's steps, each as its lines (from its `- ` to the next sibling). */
function stepsOf(text: string): Line[][] {
  const all = lines(text);
  const out: Line[][] = [];
  all.forEach((l, i) => {
    if (valueOf(l, 'steps') !== '') return;
    const block = blockAfter(all, i, l.indent).filter(isContent);
    const dash = block[0]?.indent;
    for (const b of block) {
      if (b.indent === dash && /^\s*-\s/.test(b.text)) out.push([]);
      out[out.length - 1]?.push(b);
    }
  });
  return out;
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

    test('no ${{ }} expression inside a run: script (pass values through env:)', () => {
      expect(expressionsInRun(text)).toEqual([]);
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

describe('the expression and matrix readers catch what they are for', () => {
  const job = (...extra: string[]) => ['jobs:', '  a:', '    steps:', ...extra, ''].join('\n');

  test.each(
    table([
      ['expression in an inline run', job('      - run: echo "${{ github.head_ref }}"'), 1],
      [
        'expression in a block run',
        job('      - run: |', '          set -e', '          echo ${{ matrix.qemu }}'),
        1,
      ],
      ['in a folded run (>-)', job('      - run: >-', '          echo ${{ inputs.x }}'), 1],
      [
        'named step, run below the dash',
        job('      - name: x', '        run: |', '          ${{ matrix.qemu }} -cpu a "$b"'),
        1,
      ],
      [
        'through env',
        job(
          '      - env:',
          '          QEMU: ${{ matrix.qemu }}',
          '        run: |',
          '          "$QEMU" --version',
        ),
        0,
      ],
      ['in if: and with:', job("      - if: ${{ runner.os == 'Linux' }}", '        run: ls'), 0],
      [
        'the next step is not the script',
        job(
          '      - run: |',
          '          ls',
          '      - uses: ./',
          '        with:',
          '          a: ${{ x }}',
        ),
        0,
      ],
    ]),
  )('$what → $count problem(s)', ({ text, count }) => {
    expect(expressionsInRun(text)).toHaveLength(count);
  });

  const matrix = (...rows: string[]) =>
    ['    strategy:', '      matrix:', '        include:', ...rows, '    runs-on: x', ''].join(
      '\n',
    );

  test('block rows, comments and quotes', () => {
    const text = matrix(
      '          # a comment',
      '          - os: ubuntu-24.04',
      "            target: 'pi4:musl'",
      '          - os: macos-latest # inline',
      "            glibc: '2.31'",
    );
    expect(matrixRows(text)).toEqual({
      rows: [
        { os: 'ubuntu-24.04', target: 'pi4:musl' },
        { os: 'macos-latest', glibc: '2.31' },
      ],
      unread: [],
    });
  });

  test.each([
    ['a flow-mapping row', ['          - { os: x, target: pi4 }']],
    ['a key at the wrong depth', ['          - os: x', '              target: pi4']],
    ['a nested list', ['          - os: x', '            - target']],
  ])('%s is reported, not skipped', (_, rows) => {
    expect(matrixRows(matrix(...rows)).unread).toHaveLength(1);
  });

  test('no include list at all', () => {
    expect(matrixRows('jobs:\n  a:\n    runs-on: x\n')).toEqual({
      rows: [],
      unread: ['no matrix include: list'],
    });
  });
});

describe('the self-test matrix', () => {
  const text = fs.readFileSync(path.join(WORKFLOWS, 'self-test.yml'), 'utf8');
  const { rows, unread } = matrixRows(text);
  const manifest = loadManifest();

  /** `process.platform`/`process.arch` of each GitHub-hosted runner label the matrix uses. */
  const HOSTS: Record<string, { os: string; arch: string }> = {
    'ubuntu-24.04': { os: 'linux', arch: 'x64' },
    'ubuntu-24.04-arm': { os: 'linux', arch: 'arm64' },
    'macos-latest': { os: 'darwin', arch: 'arm64' },
  };
  const spec = (r: Row): TargetSpec => {
    const got = resolveTargets(r.target as string);
    expect(got).toHaveLength(1);
    return (got[0] as { spec: TargetSpec }).spec;
  };
  const fixture = (r: Row) => r.fixture ?? 'hello-c';
  const buildsC = (r: Row) =>
    lockfileBuildsC(fs.readFileSync(path.join(FIXTURES, fixture(r), 'Cargo.lock'), 'utf8'));
  const floorOf = (r: Row) =>
    (PI_OS.find((o) => o.name === (r['pi-os'] ?? DEFAULT_PI_OS)) as { glibc: string }).glibc;
  const where = (r: Row) =>
    [r.os, r.target, r['pi-os'], fixture(r)].filter((w) => w !== undefined).join(' ');

  test('every row is read', () => {
    expect(unread).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
  });

  test.each(Object.keys(HOSTS))('%s builds all six targets (hello-c, default floor)', (os) => {
    const built = rows
      .filter((r) => r.os === os && fixture(r) === 'hello-c' && r['pi-os'] === undefined)
      .map((r) => r.triple);
    expect([...built].sort()).toEqual(TARGETS.map((t) => t.triple).sort());
  });

  test('arm64 and macOS runners link with zig', () => {
    const zigHosts = rows.filter((r) => r.os !== 'ubuntu-24.04');
    expect(zigHosts.length).toBeGreaterThan(0);
    for (const r of zigHosts) expect([where(r), r.linker]).toEqual([where(r), 'zig']);
  });

  test('pi-os: buster has a row for every glibc target on x86_64 Linux', () => {
    const buster = rows.filter((r) => r['pi-os'] === 'buster' && r.os === 'ubuntu-24.04');
    const gnu = TARGETS.filter((t) => t.libc === 'gnu').map((t) => t.triple);
    expect(buster.map((r) => r.triple).sort()).toEqual([...gnu].sort());
  });

  test('every pinned gcc toolchain is the expected toolchain of some row', () => {
    // The Arm GNU 8.3 (glibc 2.28) entries had never run anywhere before their buster rows.
    const gcc = manifest.toolchains.filter((e): e is GccToolchainEntry => e.kind === 'gcc');
    const named = new Set(rows.map((r) => r.toolchain));
    expect(gcc.map((e) => e.id).filter((id) => !named.has(id))).toEqual([]);
  });

  test('pi4 and pi-zero rows link the Pi OS OpenSSL from sysroot-packages, run under the board CPU', () => {
    const sys = rows.filter((r) => /\blibssl-dev\b/.test(String(r.packages ?? '')));
    expect(sys.map((r) => `${r.target} ${r.fixture} ${r.cpu}`).sort()).toEqual([
      'pi-zero hello-sys arm1176',
      'pi4 hello-sys cortex-a72',
    ]);
    expect(text).toContain('sysroot-packages: ${{ matrix.packages }}');
  });

  test("a pure-Rust musl row links with rustup's rust-lld", () => {
    const lld = rows.filter((r) => r.linker === 'rust-lld');
    expect(lld.length).toBeGreaterThan(0);
    for (const r of lld) {
      expect([where(r), spec(r).libc, buildsC(r)]).toEqual([where(r), 'musl', false]);
    }
  });

  test.each(rows.map((r) => [where(r), r] as const))(
    '%s: what the row expects is what the action chooses',
    (_, r) => {
      const host = HOSTS[r.os as string];
      expect(host).toBeDefined();
      const s = spec(r);
      expect(r.triple).toBe(s.triple);
      const floor = s.libc === 'gnu' ? floorOf(r) : null;
      if (chooseLinker('auto', s, buildsC(r)) === 'rust-lld') {
        expect([r.linker, r.toolchain]).toEqual(['rust-lld', undefined]);
      } else {
        // `auto` keeps a pinned gcc where one fits host, target and floor, and takes zig otherwise.
        const sel = selectToolchain(manifest, { triple: s.triple, host: host!, glibcFloor: floor });
        const want = sel.entry ? ['gcc', sel.entry.id] : ['zig', undefined];
        expect([r.linker, r.toolchain]).toEqual(want);
      }
      expect(r.glibc).toBe(floor ?? undefined);
    },
  );

  test.each(rows.map((r) => [where(r), r] as const))(
    '%s: runs natively, under qemu with the right CPU, or (macOS) not at all',
    (_, r) => {
      const host = HOSTS[r.os as string]!;
      const s = spec(r);
      const ran = { qemu: r.qemu, cpu: r.cpu };
      if (host.os === 'darwin') {
        expect(ran).toEqual({ qemu: undefined, cpu: undefined });
      } else if (host.arch === 'arm64' && s.arch === 'aarch64') {
        expect(ran).toEqual({ qemu: '', cpu: undefined });
      } else {
        // Every Linux row under the board's CPU: ARMv6 glibc ones on the Pi OS runtime.
        const cpu = resolveTargets(r.target as string)[0]?.qemuCpu;
        expect(ran).toEqual({ qemu: `${s.qemu.binary}-static`, cpu });
      }
    },
  );

  test.each(rows.map((r) => [where(r), r] as const))(
    "%s: smoke-run is how the action's own smoke run runs it (hostRun, qemu installed on Linux)",
    (_, r) => {
      const host = HOSTS[r.os as string]!;
      const s = spec(r);
      const [target] = resolveTargets(r.target as string);
      const floor = s.libc === 'gnu' ? floorOf(r) : '';
      // The workflow installs qemu-user-static on every Linux runner before the action runs.
      const run = hostRun({ ...host, glibc: null }, s, target!.qemuCpu, floor, host.os === 'linux');
      // ARMv6 glibc too: the Pi OS runtime runs under the board's CPU, whatever linked it.
      const want =
        run.how === 'qemu'
          ? `qemu ${target!.qemuCpu}`
          : run.how === 'native'
            ? 'native'
            : undefined;
      expect(r['smoke-run']).toBe(want);
    },
  );

  test("the check step compares the action's reported smoke run with the row's", () => {
    const check = stepsOf(text).find((st) => st.some((l) => /WANT_SMOKE_RUN:/.test(l.text)));
    expect(check?.map((l) => valueOf(l, 'WANT_SMOKE_RUN')).find(Boolean)).toBe(
      '${{ matrix.smoke-run }}',
    );
    const body = check?.map((l) => l.text).join('\n') ?? '';
    expect(body).toContain('.[0].smoke');
    expect(body).toContain('[ "$ran" = "$WANT_SMOKE_RUN" ] || fail');
    // The check runs on every host: macOS proves that nothing ran there.
    expect(check?.map((l) => valueOf(l, 'if')).filter(Boolean)).toEqual([]);
  });

  test('apt-get and the qemu run are Linux-only; macOS only builds (no qemu-user there)', () => {
    const steps = stepsOf(text);
    const linuxOnly = steps.filter((st) => st.some((l) => /apt-get|"\$QEMU"/.test(l.text)));
    expect(linuxOnly).toHaveLength(2);
    for (const st of linuxOnly) {
      expect(st.map((l) => valueOf(l, 'if')).filter(Boolean)).toEqual(["runner.os == 'Linux'"]);
    }
    const action = steps.find((st) => st.some((l) => valueOf(l, 'uses') === './'));
    const command = action?.map((l) => valueOf(l, 'command')).find((v) => v !== undefined);
    expect(command).toBe("${{ runner.os == 'macOS' && 'build' || 'both' }}");
  });
});
