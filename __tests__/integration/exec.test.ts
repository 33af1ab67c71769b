import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, test } from '@jest/globals';
import { run } from '../../src/exec.js';
import { REPO } from '../helpers/test-env.js';
import { alive, aliveAfterKill } from '../helpers/processes.js';

// run() on real process trees: shell scripts whose background sleepers hold (or do not hold)
// the pipes run() reads. Each sleeper gets a unique duration, so pgrep finds exactly ours.

let n = 0;
/** A sleep argument no other process on the machine has: `40.<pid><n>`. */
function marker(): string {
  n++;
  return `40.${process.pid}${n}`;
}

const started: string[] = [];
afterAll(() => {
  // Only our own sleepers, by pid, whatever a failing assertion left behind.
  for (const m of started) for (const pid of alive(m)) process.kill(pid, 'SIGKILL');
});

function sleeper(): string {
  const m = marker();
  started.push(m);
  return m;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const r = await fn();
  return [r, Date.now() - t0];
}

describe('run: process groups and pipes held by what the program started', () => {
  test('a plain program: its exit code and output, no leftover', async () => {
    const [r, ms] = await timed(() =>
      run('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5000 }),
    );
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(r.timedOut).toBe(false);
    expect(r.leftover).toBeNull();
    expect(ms).toBeLessThan(1500);
  });

  test('with a timeout: exits 0 but a background child holds stdout → ends after the grace period, child killed', async () => {
    const m = sleeper();
    const [r, ms] = await timed(() =>
      run('sh', ['-c', `sleep ${m} & echo started`], { timeoutMs: 20000, graceMs: 1000 }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('started\n');
    expect(r.timedOut).toBe(false);
    expect(r.leftover).toBe('killed');
    expect(ms).toBeLessThan(5000);
    expect(await aliveAfterKill(m)).toEqual([]);
  });

  test('without a timeout (cargo test, tar, strip): a pipe-holding grandchild does not hold the run', async () => {
    const m = sleeper();
    const [r, ms] = await timed(() => run('sh', ['-c', `sleep ${m} & exit 4`], { graceMs: 1000 }));
    expect(r.code).toBe(4);
    expect(r.leftover).toBe('killed');
    expect(ms).toBeLessThan(5000);
    expect(await aliveAfterKill(m)).toEqual([]);
  });

  test('the deadline kills the whole tree, not just the program', async () => {
    const bg = sleeper();
    const fg = sleeper();
    const [r, ms] = await timed(() =>
      run('sh', ['-c', `sleep ${bg} & sleep ${fg}`], { timeoutMs: 1000 }),
    );
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(ms).toBeLessThan(4000);
    expect(await aliveAfterKill(bg)).toEqual([]);
    expect(await aliveAfterKill(fg)).toEqual([]);
  });

  test('SIGTERM first (sudo relays it to its root-owned command), so a program can clean up', async () => {
    const m = sleeper();
    const r = await run('sh', ['-c', `trap 'echo cleaning up; exit 7' TERM; sleep ${m} & wait`], {
      timeoutMs: 1000,
    });
    expect(r).toMatchObject({ timedOut: true, code: 7, stdout: 'cleaning up\n' });
    expect(await aliveAfterKill(m)).toEqual([]);
  });

  test('then SIGKILL for a tree that ignores SIGTERM', async () => {
    const bg = sleeper();
    const fg = sleeper();
    const [r, ms] = await timed(() =>
      run('sh', ['-c', `trap '' TERM; sleep ${bg} & sleep ${fg}`], { timeoutMs: 1000 }),
    );
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(ms).toBeLessThan(5000);
    expect(await aliveAfterKill(bg)).toEqual([]);
    expect(await aliveAfterKill(fg)).toEqual([]);
  });

  test('exits just before the deadline with a child holding stdout: a leftover, not a timeout', async () => {
    const m = sleeper();
    const [r, ms] = await timed(() =>
      run('sh', ['-c', `sleep ${m} & sleep 0.5; exit 0`], { timeoutMs: 1500, graceMs: 5000 }),
    );
    expect(r.code).toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.leftover).toBe('killed');
    expect(ms).toBeLessThan(4000);
    expect(await aliveAfterKill(m)).toEqual([]);
  });

  test('a holder that left the process group (setsid) cannot be killed, but the run still ends', async () => {
    const m = sleeper();
    const [r, ms] = await timed(() =>
      run('sh', ['-c', `setsid sleep ${m} & exit 0`], { timeoutMs: 20000, graceMs: 500 }),
    );
    expect(r.code).toBe(0);
    expect(r.leftover).toBe('escaped');
    expect(ms).toBeLessThan(4000);
    expect(alive(m)).toHaveLength(1);
  });

  test('a background child that closed its output is left alone (e.g. a build cache daemon) …', async () => {
    const m = sleeper();
    const [r, ms] = await timed(() =>
      run('sh', ['-c', `sleep ${m} >/dev/null 2>&1 & exit 0`], { timeoutMs: 20000 }),
    );
    expect(r).toMatchObject({ code: 0, leftover: null, timedOut: false });
    expect(ms).toBeLessThan(1500);
    expect(alive(m)).toHaveLength(1);
  });

  test('… unless the caller asks for leftovers to be killed (smoke runs)', async () => {
    const m = sleeper();
    const r = await run('sh', ['-c', `sleep ${m} >/dev/null 2>&1 & exit 0`], {
      timeoutMs: 20000,
      killLeftovers: true,
    });
    expect(r).toMatchObject({ code: 0, leftover: null });
    expect(await aliveAfterKill(m)).toEqual([]);
  });

  test('a program that cannot be started still rejects', async () => {
    await expect(run('/nonexistent/program', [], { timeoutMs: 1000 })).rejects.toThrow(/ENOENT/);
  });
});

/**
 * A separate node process running src/exec.ts (transpiled as is, with the one module it imports),
 * so it can be signalled and its own stderr read.
 */
function execScript(scratch: string[], body: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-script-'));
  scratch.push(dir);
  for (const name of ['exec', 'log-text']) {
    const source = fs.readFileSync(path.join(REPO, 'src', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    fs.writeFileSync(path.join(dir, `${name}.js`), js);
  }
  fs.writeFileSync(path.join(dir, 'main.mjs'), `import { run } from './exec.js';\n${body}`);
  return path.join(dir, 'main.mjs');
}

describe('run: forwarded stderr cannot issue workflow commands', () => {
  const scratch: string[] = [];
  afterAll(() => {
    for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
  });

  test('each forwarded line is made inert, also one split across writes and one without a newline', () => {
    const main = execScript(
      scratch,
      `await run('sh', ['-c', 'printf "warning: ok\\n::err" >&2; sleep 0.2; printf "or title=FAKE::x\\n  ::warning::y\\n::notice::z" >&2'], { echoStderr: true });
`,
    );
    const r = spawnSync(process.execPath, [main], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([
      'warning: ok',
      '\\::error title=FAKE::x',
      '  \\::warning::y',
      '\\::notice::z',
    ]);
    expect(lines.filter((l) => l.trim().startsWith('::'))).toEqual([]);
  });
});

describe('run: when we are stopped, what we started stops too', () => {
  const scratch: string[] = [];
  afterAll(() => {
    for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
  });

  function script(m1: string, m2: string): string {
    return execScript(
      scratch,
      `void run('sh', ['-c', 'sleep ${m1} & sleep ${m2}']);
setTimeout(() => console.log('ready'), 300);
setInterval(() => undefined, 1000);
`,
    );
  }

  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to us (a cancelled job, Ctrl-C) kills the process groups we started, then ends us by it',
    async (signal) => {
      const [m1, m2] = [sleeper(), sleeper()];
      const child = spawn(process.execPath, [script(m1, m2)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
        child.on('exit', (c, s) => r([c, s])),
      );
      // If it outlives the test (the bug), it must not outlive the suite.
      const reaper = setTimeout(() => child.kill('SIGKILL'), 10000);
      await new Promise<void>((r) =>
        child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && r()),
      );
      expect(alive(m1).length).toBeGreaterThan(0);
      child.kill(signal);
      const [code, sig] = await exited;
      clearTimeout(reaper);
      expect({ code, sig }).toEqual({ code: null, sig: signal });
      expect(await aliveAfterKill(m1)).toEqual([]);
      expect(await aliveAfterKill(m2)).toEqual([]);
    },
  );
});
