import { run } from '../exec.js';

export interface SmokeResult {
  ok: boolean;
  /** First line of output, for the summary. */
  firstLine: string;
  /** Why it failed, in words a user can act on. */
  problem: string | null;
  ms: number;
}

/**
 * Runs one binary under qemu-user with the Pi's CPU model: the default `max` CPU would accept
 * ARMv7 instructions that a Pi Zero's ARM1176 dies on.
 */
export async function smokeRun(
  command: string[],
  args: readonly string[],
  timeoutMs: number,
): Promise<SmokeResult> {
  const [program, ...rest] = command as [string, ...string[]];
  const t0 = Date.now();
  const r = await run(program, [...rest, ...args], { timeoutMs, maxCapture: 64 * 1024 });
  const ms = Date.now() - t0;
  const firstLine = (r.stdout.trim() || r.stderr.trim()).split('\n')[0] ?? '';
  return { ok: !r.timedOut && r.code === 0, firstLine, problem: smokeProblem(r, timeoutMs), ms };
}

function smokeProblem(
  r: { code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean },
  timeoutMs: number,
): string | null {
  if (r.timedOut) {
    return `did not finish within ${timeoutMs / 1000} s and was killed; if it is a server, give 'smoke-test' arguments that make it exit (e.g. --version), or raise 'smoke-test-timeout'`;
  }
  if (r.code === 0) return null;
  const sig = r.signal ?? (r.code !== null && r.code > 128 ? signalName(r.code - 128) : null);
  if (sig === 'SIGILL' || /Illegal instruction/i.test(r.stderr)) {
    return "died with 'Illegal instruction' on the Pi's CPU model: it contains instructions this Pi's CPU does not have (e.g. ARMv7 code in an ARMv6 build); link with a toolchain built for this CPU level";
  }
  if (sig === 'SIGSEGV') return 'crashed with a segmentation fault';
  const err = r.stderr.trim().split('\n').slice(-3).join(' | ');
  if (/GLIBC_[\d.]+' not found|No such file or directory/.test(err)) {
    return `could not start: ${err}`;
  }
  return `exited with ${sig ?? `code ${r.code}`}${err ? `: ${err}` : ''}`;
}

function signalName(n: number): string | null {
  return { 4: 'SIGILL', 6: 'SIGABRT', 11: 'SIGSEGV' }[n] ?? null;
}
