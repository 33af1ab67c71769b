import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process (SIGKILL) after this many ms. */
  timeoutMs?: number;
  /** Called per stdout line as it arrives (cargo JSON messages, live logs). */
  onStdoutLine?: (line: string) => void;
  /** Forward stderr to our stderr as it arrives (compiler diagnostics belong in the log). */
  echoStderr?: boolean;
  /** Keep at most this many bytes of each stream in the result. */
  maxCapture?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a program with an argument array (never a shell), so inputs always reach it as data.
 * Rejects only when the program cannot be started (e.g. not installed); a non-zero exit is a
 * result the caller judges.
 */
export function run(
  program: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const max = opts.maxCapture ?? 1 << 20;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
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
      if (opts.echoStderr) process.stderr.write(chunk);
      stderr = (stderr + chunk).slice(-max);
    });
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (partial && opts.onStdoutLine) opts.onStdoutLine(partial);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** The last lines of a command's stderr, for error messages that must stay short. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
