import { howRun, runnerCommand, type HowRun, type RunnerPaths } from '../cargo/env.js';
import { run, type RunResult } from '../exec.js';
import type { ResolvedTarget } from '../targets/resolve.js';

export interface SmokeResult {
  ok: boolean;
  /** First line of output, for the summary. */
  firstLine: string;
  /** Why it failed, in words a user can act on. */
  problem: string | null;
  ms: number;
  /** Under qemu with which CPU, or natively (and what that did not prove). */
  ran: HowRun;
}

/**
 * Runs one binary under qemu-user with the Pi's CPU model (the default `max` CPU would accept
 * ARMv7 instructions that a Pi Zero's ARM1176 dies on), or natively: `command` is the runner's
 * words and the binary, `ran` says which, and both kinds get the same timeout and group kill.
 */
export async function smokeRun(
  command: string[],
  args: readonly string[],
  timeoutMs: number,
  ran: HowRun,
): Promise<SmokeResult> {
  const [program, ...rest] = command as [string, ...string[]];
  const t0 = Date.now();
  const r = await run(program, [...rest, ...args], {
    timeoutMs,
    graceMs: GRACE_MS,
    // Whatever it started in the background must not outlive the check.
    killLeftovers: true,
    maxCapture: 64 * 1024,
  });
  const ms = Date.now() - t0;
  const firstLine = (r.stdout.trim() || r.stderr.trim()).split('\n')[0] ?? '';
  const problem = smokeProblem(r, timeoutMs, ran);
  return { ok: problem === null, firstLine, problem, ms, ran };
}

/** The smoke run of one binary through a target's runner, qemu or native. */
export function smokeWith(
  target: ResolvedTarget,
  runner: RunnerPaths,
  binary: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<SmokeResult> {
  const command = [...runnerCommand(target, runner), binary];
  return smokeRun(command, args, timeoutMs, howRun(target, runner));
}

/** How long output may stay open after the binary exited before its holder counts as left over. */
const GRACE_MS = 2000;

type Outcome = Pick<RunResult, 'code' | 'signal' | 'stderr' | 'timedOut' | 'leftover'>;

function smokeProblem(r: Outcome, timeoutMs: number, ran: HowRun): string | null {
  if (r.timedOut) {
    return `did not finish within ${timeoutMs / 1000} s and was killed, with every process it started; if it is a server, give 'smoke-test' arguments that make it exit (e.g. --version), or raise 'smoke-test-timeout'`;
  }
  if (r.leftover) {
    const exit = exitWords(r);
    const fate =
      r.leftover === 'killed'
        ? 'it was killed'
        : 'it had left the process group and could not be killed; the run stopped waiting for it';
    return `${exit} but left a child process holding its output open; ${fate}. A smoke run must leave nothing running: give 'smoke-test' arguments under which it starts no background process, or make the child close stdout and stderr`;
  }
  if (r.code === 0) return null;
  const sig = r.signal ?? (r.code !== null && r.code > 128 ? signalName(r.code - 128) : null);
  if (sig === 'SIGILL' || /Illegal instruction/i.test(r.stderr)) {
    // No Pi CPU model was involved: blaming the board's CPU level would send the user astray.
    if (ran.how === 'native')
      return "died with 'Illegal instruction' on this host's own CPU (run natively, no qemu): it uses instructions this runner's CPU does not have, which a Pi's older core is even less likely to have; check -C target-cpu and -C target-feature in RUSTFLAGS";
    return "died with 'Illegal instruction' on the Pi's CPU model: it contains instructions this Pi's CPU does not have (e.g. ARMv7 code in an ARMv6 build); link with a toolchain built for this CPU level";
  }
  if (sig === 'SIGSEGV') return 'crashed with a segmentation fault';
  const err = r.stderr.trim().split('\n').slice(-3).join(' | ');
  if (/GLIBC_[\d.]+' not found|No such file or directory/.test(err)) {
    const whose = ran.how === 'native' ? " (a native run uses this host's loader and glibc)" : '';
    return `could not start${whose}: ${err}`;
  }
  return `exited with ${sig ?? `code ${r.code}`}${err ? `: ${err}` : ''}`;
}

function exitWords(r: Outcome): string {
  if (r.signal) return `was ended by ${r.signal}`;
  return `exited ${r.code}`;
}

function signalName(n: number): string | null {
  return { 4: 'SIGILL', 6: 'SIGABRT', 11: 'SIGSEGV' }[n] ?? null;
}
