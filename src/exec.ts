import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { inertText } from './log-text.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** End the program and everything it started (its process group) after this many ms. */
  timeoutMs?: number;
  /**
   * How long to keep reading after the process exited while something it started still holds
   * its stdout/stderr open; then that process group is killed and the run ends. Default 2000.
   */
  graceMs?: number;
  /** Kill whatever the program left running in its process group when the run ends (smoke runs). */
  killLeftovers?: boolean;
  /** Called per stdout line as it arrives (cargo JSON messages, live logs). */
  onStdoutLine?: (line: string) => void;
  /**
   * Forward stderr to our stderr line by line as it arrives (compiler diagnostics belong in the
   * log), each line made inert: stderr and stdout reach the runner on two pipes, so a
   * `::stop-commands::` fence written to stdout cannot be trusted to come first.
   */
  echoStderr?: boolean;
  /** Keep at most this many bytes of each stream in the result. */
  maxCapture?: number;
}

/**
 * A process the program started that kept its stdout/stderr open after it exited: `killed` when
 * killing the process group closed them, `escaped` when the holder had left the group (setsid)
 * and the run stopped waiting for it.
 */
export type Leftover = 'killed' | 'escaped';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The program itself was still running at the deadline (it and its group were killed). */
  timedOut: boolean;
  /** The program exited, but something it started held its output open; null when nothing did. */
  leftover: Leftover | null;
}

const DEFAULT_GRACE_MS = 2000;
/** SIGTERM first, SIGKILL this much later: sudo relays TERM to its root-owned command, not KILL. */
const KILL_AFTER_MS = 1000;
/** How long a killed group gets to let go of the pipes before the holder counts as escaped. */
const AFTER_KILL_MS = KILL_AFTER_MS + 500;

/** Process groups started by run() that may still have members; killed if we are. */
const liveGroups = new Set<number>();

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is gone already.
  }
}

/**
 * Ends the program's whole process group: SIGTERM, then SIGKILL for what ignored it. A member we
 * may not signal (a root process under sudo) gets the TERM through sudo.
 */
function killGroup(pid: number | undefined, child: ChildProcess): void {
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    child.kill('SIGKILL');
    return;
  }
  signalGroup(pid, 'SIGTERM');
  setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_AFTER_MS).unref();
}

// The children run in their own process groups, so a Ctrl-C (or the runner's SIGINT/SIGTERM on
// cancel) reaching only us would leave cargo or qemu running: take them down with us.
function onFatalSignal(signal: NodeJS.Signals): void {
  killAllGroups();
  process.removeListener('SIGINT', onFatalSignal);
  process.removeListener('SIGTERM', onFatalSignal);
  process.kill(process.pid, signal);
}
function killAllGroups(): void {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  liveGroups.clear();
}
function track(pid: number): void {
  if (liveGroups.size === 0) {
    process.on('SIGINT', onFatalSignal);
    process.on('SIGTERM', onFatalSignal);
    process.on('exit', killAllGroups);
  }
  liveGroups.add(pid);
}
function untrack(pid: number): void {
  if (!liveGroups.delete(pid) || liveGroups.size > 0) return;
  process.removeListener('SIGINT', onFatalSignal);
  process.removeListener('SIGTERM', onFatalSignal);
  process.removeListener('exit', killAllGroups);
}

/**
 * Runs a program with an argument array (never a shell), so inputs always reach it as data.
 * Rejects only when the program cannot be started (e.g. not installed); a non-zero exit is a
 * result the caller judges.
 *
 * The program gets its own process group, so a timeout kills everything it started, not just
 * the program. The run ends when the program has exited and its output closed, or `graceMs`
 * after the exit if something it started still holds the output: a background child or a daemon
 * inheriting stdout would otherwise hold the step for its whole life.
 */
export function run(
  program: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const max = opts.maxCapture ?? 1 << 20;
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const pid = child.pid;
    if (pid !== undefined && process.platform !== 'win32') track(pid);
    let stdout = '';
    let stderr = '';
    let partial = '';
    let errPartial = '';
    let timedOut = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let leftover: Leftover | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));

    const finish = () => {
      if (settled || !exited) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (opts.killLeftovers) killGroup(pid, child);
      if (pid !== undefined) untrack(pid);
      if (partial && opts.onStdoutLine) opts.onStdoutLine(partial);
      if (errPartial && opts.echoStderr) process.stderr.write(`${inertText(errPartial)}\n`);
      resolve({ ...exited, stdout, stderr, timedOut, leftover });
    };
    /** Stop reading pipes that a process outside our reach still holds. */
    const stopWaiting = () => {
      if (settled) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish();
    };
    /** The program is gone but its output is still held: kill the group, then stop waiting. */
    const abandonPipes = () => {
      if (settled || leftover) return;
      leftover = 'killed';
      killGroup(pid, child);
      later(AFTER_KILL_MS, () => {
        if (settled) return;
        leftover = 'escaped';
        stopWaiting();
      });
    };

    if (opts.timeoutMs !== undefined) {
      later(opts.timeoutMs, () => {
        if (exited) {
          // Exited in time; only what it left behind is still running.
          abandonPipes();
        } else {
          timedOut = true;
          killGroup(pid, child);
        }
      });
    }
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < max) stdout += chunk;
      if (!opts.onStdoutLine) return;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onStdoutLine(line);
    });
    child.stderr.on('data', (chunk: string) => {
      if (opts.echoStderr) {
        const lines = (errPartial + chunk).split('\n');
        errPartial = lines.pop() ?? '';
        if (lines.length) process.stderr.write(`${lines.map(inertText).join('\n')}\n`);
      }
      stderr = (stderr + chunk).slice(-max);
    });
    child.on('error', (err) => {
      if (exited) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (pid !== undefined) untrack(pid);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // Killed at the deadline: a holder that escaped the group must not hold us either.
      if (timedOut) later(AFTER_KILL_MS, stopWaiting);
      else later(graceMs, abandonPipes);
    });
    // Node emits 'close' after 'exit', once every pipe is closed.
    child.on('close', finish);
  });
}

/** The last lines of a command's stderr, for error messages that must stay short. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs a program on the terminal's own stdin/stdout/stderr (the CLI's `run`): its exit status,
 * or 128 + the signal number when a signal ended it, as a shell reports it.
 */
export function runAttached(
  program: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0)),
    );
  });
}
