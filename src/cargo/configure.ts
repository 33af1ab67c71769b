import type { ResolvedTarget } from '../targets/resolve.js';
import {
  cargoEnv,
  planSysroot,
  type LinkPlan,
  type RunnerPaths,
  type TargetSysroot,
} from './env.js';
import type { HostRun } from '../zig/host-run.js';
import { linkRunner, makeRunnerDir } from './runner.js';

/** A smoke-run root of its own for a target: qemu's -L, and the CPU (null: the board's). */
export interface RunRoot {
  root: string;
  cpu: string | null;
}

export interface CargoSetup {
  /** Exported for this step's cargo and for the user's later steps. */
  env: Record<string, string>;
  /** qemu runner per triple where qemu exists, native where the host runs the target itself. */
  runners: Map<string, RunnerPaths>;
  /** qemu binaries that were needed but not found (by targets that have no runner at all). */
  missingQemu: string[];
}

/** The cargo/cc-rs environment for every target, with qemu runners reachable without spaces. */
export function configureCargo(
  targets: readonly ResolvedTarget[],
  plans: ReadonlyMap<string, LinkPlan>,
  qemus: ReadonlyMap<string, string>,
  /** This run's private temporary directory. */
  runDir: string,
  /** `sysroot-packages`' merged sysroots: they replace the plan's for the compiler and qemu -L. */
  sysroots: ReadonlyMap<string, TargetSysroot> = new Map(),
  /** The Pi OS runtimes (ARMv6): they replace both for qemu -L, and say which CPU runs them. */
  runtimes: ReadonlyMap<string, RunRoot> = new Map(),
  /** hostRun per triple: 'native' runs it without qemu, 'none' not at all; absent: qemu if found. */
  hostRuns: ReadonlyMap<string, HostRun> = new Map(),
): CargoSetup {
  const env: Record<string, string> = {};
  const runners = new Map<string, RunnerPaths>();
  const missingQemu = new Set<string>();
  // Made only when some target has qemu, so a run without it leaves no empty directory.
  let runnerDir: string | null = null;
  for (const target of targets) {
    const plan = plans.get(target.spec.triple);
    if (!plan) throw new Error(`internal: no link plan for ${target.spec.triple}`);
    const qemu = qemus.get(target.spec.qemu.binary);
    const hostRun = hostRuns.get(target.spec.triple);
    const merged = sysroots.get(target.spec.triple) ?? null;
    const run = runtimes.get(target.spec.triple) ?? null;
    const sysroot = target.spec.interpreter
      ? (run?.root ?? merged?.dir ?? planSysroot(plan))
      : null;
    let runner: RunnerPaths | null = null;
    if (hostRun?.how === 'native') runner = { kind: 'native', note: hostRun.note };
    else if (qemu && hostRun?.how !== 'none') {
      runnerDir ??= makeRunnerDir(runDir);
      runner = linkRunner(runnerDir, target.spec.triple, qemu, sysroot);
      const cpu = run ? run.cpu : plan.kind === 'zig' ? plan.runCpu : null;
      if (cpu) runner.cpu = cpu;
    }
    if (runner) runners.set(target.spec.triple, runner);
    else if (!qemu && hostRun?.how !== 'none') missingQemu.add(target.spec.qemu.binary);
    Object.assign(env, cargoEnv(target, plan, runner, merged));
  }
  env.PKG_CONFIG_ALLOW_CROSS = '1';
  return { env, runners, missingQemu: [...missingQemu] };
}
