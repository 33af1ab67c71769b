import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import {
  FIXTURES,
  REPO,
  RUST_TOOLCHAIN,
  TOOLCHAIN_DIR,
  testToolchain,
} from '../helpers/test-env.js';
import { pool } from '../helpers/pool.js';

// Inputs reach cargo (and the binaries) as argument data, never through a shell: shell syntax in
// them runs nothing, and cargo's refusal quotes it back literally.

/** Unique to this run, so a stray file can only come from these tests. */
const TAG = `pwned-${randomBytes(6).toString('hex')}`;
const tmpFile = (n: number) => path.join(os.tmpdir(), `${TAG}-${n}`);

interface Injection {
  what: string;
  inputs: Record<string, string>;
  /** The input the one `::error::` line must name. */
  input: string;
  /** Literal text the error must contain: the payload as cargo saw it. */
  literal: string[];
}

const INJECTIONS: Injection[] = [
  {
    what: "features: 'a; touch /tmp/…'",
    inputs: { features: `a; touch ${tmpFile(1)}` },
    input: 'features',
    literal: [`multiple slashes in feature \`${tmpFile(1)}\``],
  },
  {
    what: "features: 'a;touch$IFS/tmp/…' (one word: named whole)",
    inputs: { features: `a;touch$IFS${tmpFile(2)}` },
    input: 'features',
    literal: [`feature \`a;touch$IFS${tmpFile(2)}\``],
  },
  {
    what: "features: 'a; touch <relative>' (would land in the crate directory)",
    inputs: { features: `a; touch ${TAG}-3` },
    input: 'features',
    literal: [`does not contain these features: a;, ${TAG}-3, touch`],
  },
  {
    what: "features: '$(touch /tmp/…)'",
    inputs: { features: `$(touch ${tmpFile(4)})` },
    input: 'features',
    literal: [`feature \`${tmpFile(4)})\``],
  },
  {
    what: 'features with backticks',
    inputs: { features: `\`touch ${tmpFile(5)}\`` },
    input: 'features',
    literal: [`feature \`${tmpFile(5)}\`\``],
  },
  {
    // (--features in args is refused up front: it has its own input, tested above.)
    what: `args: '--example "a; touch /tmp/…"'`,
    inputs: { args: `--example "a; touch ${tmpFile(6)}"` },
    input: 'args',
    literal: [`no example target named \`a; touch ${tmpFile(6)}\``],
  },
  {
    what: 'args: "--example \'a;touch$IFS/tmp/…\'" (one word: named whole)',
    inputs: { args: `--example 'a;touch$IFS${tmpFile(7)}'` },
    input: 'args',
    literal: [`no example target named \`a;touch$IFS${tmpFile(7)}\``],
  },
  {
    what: "args: '; touch /tmp/…'",
    inputs: { args: `; touch ${tmpFile(8)}` },
    input: 'args',
    literal: ["unexpected argument ';' found"],
  },
  {
    what: "args: '&& touch /tmp/…'",
    inputs: { args: `&& touch ${tmpFile(9)}` },
    input: 'args',
    literal: ["unexpected argument '&&' found"],
  },
  {
    what: "args: '> /tmp/…' (a redirection would create the file)",
    inputs: { args: `> ${tmpFile(10)}` },
    input: 'args',
    literal: ["unexpected argument '>' found"],
  },
  {
    what: "args: '$(touch /tmp/…)'",
    inputs: { args: `$(touch ${tmpFile(11)})` },
    input: 'args',
    literal: ["unexpected argument '$(touch' found"],
  },
  {
    what: "package: 'x; touch /tmp/…'",
    inputs: { package: `x; touch ${tmpFile(12)}` },
    input: 'package',
    literal: [`in package name: \`x; touch ${tmpFile(12)}\``],
  },
  {
    what: "bin: 'x; touch /tmp/…'",
    inputs: { bin: `x; touch ${tmpFile(13)}` },
    input: 'bin',
    literal: [`no bin target named \`x; touch ${tmpFile(13)}\``],
  },
];

let server: FileServer;
let dirs: RunnerDirs;
const a64 = testToolchain('aarch64-linux-gnu');
const outcomes = new Map<string, ActionRun>();
let rustToolchainRun: ActionRun;
let smokeRun: ActionRun;
const crateDir = () => path.join(dirs.workspace, 'hello');

function inputs(over: Record<string, string>): Record<string, string> {
  return {
    target: 'pi4',
    'working-directory': 'hello',
    'rust-toolchain': RUST_TOOLCHAIN,
    'pi-os': 'bookworm',
    cache: 'false',
    upload: 'false',
    'toolchain-url': `${server.url}/${a64.file}`,
    'toolchain-sha256': a64.sha256,
    ...over,
  };
}

/** Concurrent runs must not share RUNNER_TEMP (the qemu runner links live under it). */
function ownTemp(d: RunnerDirs): RunnerDirs {
  return { ...d, temp: fs.mkdtempSync(path.join(d.root, 'temp ')) };
}

/** Files named with this run's tag, wherever a shell could have put them. */
function strayFiles(): string[] {
  return [os.tmpdir(), dirs.workspace, crateDir(), dirs.temp]
    .flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f)))
    .filter((f) => path.basename(f).includes(TAG));
}

describe('shell syntax in inputs reaches cargo as data', () => {
  beforeAll(async () => {
    server = await startFileServer(TOOLCHAIN_DIR);
    dirs = runnerDirs('no shell');
    fs.cpSync(path.join(FIXTURES, 'hello'), crateDir(), { recursive: true });
    // Alone first: it downloads the toolchain into the shared tool cache, and smoke-runs the
    // binary with shell syntax as its arguments.
    smokeRun = await runAction(
      inputs({ 'smoke-test': `; touch ${tmpFile(20)} && echo $HOME` }),
      ownTemp(dirs),
    );
    const jobs = [
      () =>
        runAction(
          inputs({ 'rust-toolchain': `${RUST_TOOLCHAIN}; touch ${tmpFile(21)}` }),
          ownTemp(dirs),
        ),
      ...INJECTIONS.map((c) => () => runAction(inputs(c.inputs), ownTemp(dirs))),
    ];
    const [toolchainRun, ...runs] = await pool(jobs, 2);
    rustToolchainRun = toolchainRun as ActionRun;
    INJECTIONS.forEach((c, i) => outcomes.set(c.what, runs[i] as ActionRun));
  }, 300_000);

  afterAll(async () => {
    await server.close();
  });

  test.each(INJECTIONS.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    const r = outcomes.get(c.what) as ActionRun;
    expect(r.errors).toHaveLength(1);
    const message = r.errors[0] as string;
    expect(message.startsWith(`input '${c.input}': cargo refused it: `)).toBe(true);
    for (const text of c.literal) expect(message).toContain(text);
    expect(r.code).toBe(1);
  });

  test('rust-toolchain with shell syntax is a toolchain name, nothing more', () => {
    expect(rustToolchainRun.code).toBe(1);
    expect(rustToolchainRun.errors).toHaveLength(1);
    expect(rustToolchainRun.errors[0]).toContain(`'${RUST_TOOLCHAIN}; touch ${tmpFile(21)}'`);
    expect(rustToolchainRun.errors[0]).toMatch(/^input 'rust-toolchain': /);
  });

  test('smoke-test arguments reach the binary as they were written', () => {
    expect(smokeRun.errors).toEqual([]);
    expect(smokeRun.code).toBe(0);
    // fixtures/hello prints its arguments joined by commas.
    expect(smokeRun.stdout).toContain(`args=;,touch,${tmpFile(20)},&&,echo,$HOME`);
  });

  test('no payload ran: not one file with the tag was created', () => {
    expect(strayFiles()).toEqual([]);
    for (let n = 1; n <= 21; n++) expect(fs.existsSync(tmpFile(n))).toBe(false);
  });
});

interface Source {
  name: string;
  text: string;
}

/** Names imported from child_process, and the aliases it is imported or required as. */
function childProcessImports(text: string): { named: string[]; namespaces: string[] } {
  const named: string[] = [];
  const namespaces: string[] = [];
  const re = /import\s+([^;]*?)\s+from\s+['"](?:node:)?child_process['"]/g;
  for (const m of text.matchAll(re)) {
    const clause = m[1] as string;
    const braces = /\{([^}]*)\}/.exec(clause);
    if (braces)
      named.push(
        ...(braces[1] as string)
          .split(',')
          .map(
            (s) =>
              s
                .trim()
                .replace(/^type\s+/, '')
                .split(/\s+as\s+/)[0] as string,
          )
          .filter((s) => s.length > 0),
      );
    const ns = /\*\s+as\s+(\w+)/.exec(clause) ?? /^(\w+)\s*(,|$)/.exec(clause);
    if (ns) namespaces.push(ns[1] as string);
  }
  const req = /(\w+)\s*=\s*require\(\s*['"](?:node:)?child_process['"]\s*\)/g;
  for (const m of text.matchAll(req)) namespaces.push(m[1] as string);
  return { named, namespaces };
}

const ALLOWED = ['spawn', 'spawnSync', 'execFile', 'execFileSync'];

/** What in these sources could run a command line through a shell. */
function shellUses(files: Source[]): string[] {
  return files.flatMap((f) => {
    const { named, namespaces } = childProcessImports(f.text);
    const bad: string[] = [];
    // Any shell option that is not literally false.
    if (/\bshell\s*:(?!\s*false\b)/.test(f.text)) bad.push(`${f.name}: shell option`);
    for (const n of named.filter((x) => !ALLOWED.includes(x)))
      bad.push(`${f.name}: imports ${n} from child_process`);
    for (const fn of ['exec', 'execSync']) {
      for (const ns of namespaces)
        if (new RegExp(`\\b${ns}\\.${fn}\\s*\\(`).test(f.text)) bad.push(`${f.name}: ${ns}.${fn}(`);
      // A bare call, not a method such as RegExp.prototype.exec.
      if (new RegExp(`(^|[^.\\w])${fn}\\s*\\(`, 'm').test(f.text))
        bad.push(`${f.name}: bare ${fn}(`);
    }
    return bad;
  });
}

describe('the sources use argument-array process APIs only', () => {
  const SRC = path.join(REPO, 'src');
  const files: Source[] = (fs.readdirSync(SRC, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ name: f, text: fs.readFileSync(path.join(SRC, f), 'utf8') }));

  test('the scan sees the sources and the one spawn', () => {
    expect(files.length).toBeGreaterThan(10);
    const spawns = files.filter((f) => childProcessImports(f.text).named.includes('spawn'));
    expect(spawns.map((f) => f.name)).toContain('exec.ts');
  });

  test('src/ has no shell: true, no exec(, no execSync(', () => {
    expect(shellUses(files)).toEqual([]);
  });

  test.each([
    ["import { exec } from 'node:child_process';", 'imports exec'],
    ["import { execSync as run } from 'child_process';", 'imports execSync'],
    ["import * as cp from 'node:child_process';\ncp.exec(cmd);", 'cp.exec('],
    ["import cp from 'child_process';\ncp.execSync(cmd);", 'cp.execSync('],
    ["const cp = require('child_process');\ncp.exec('ls');", 'cp.exec('],
    ["spawn('cargo', args, { shell: true });", 'shell option'],
    ["spawn('cargo', args, { shell: '/bin/sh' });", 'shell option'],
    ['execSync(`cargo ${args}`);', 'bare execSync('],
  ])('the scan catches %j', (text, found) => {
    expect(shellUses([{ name: 'sample.ts', text }]).join('; ')).toContain(found);
  });

  test.each([
    "import { spawn } from 'node:child_process';\nspawn('cargo', ['build'], { shell: false });",
    'const m = /x/.exec(line);',
    "import { execFile } from 'node:child_process';",
  ])('the scan lets %j pass', (text) => {
    expect(shellUses([{ name: 'sample.ts', text }])).toEqual([]);
  });
});
