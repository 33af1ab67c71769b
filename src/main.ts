import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { cargoBuild, cargoTest } from './cargo/build.js';
import { cargoEnv } from './cargo/env.js';
import type { BuiltBinary } from './cargo/messages.js';
import { findQemu, linkRunner, spaceFreeRunnerDir } from './cargo/runner.js';
import { ActionError, errorMessage } from './errors.js';
import { INPUT_NAMES, parseInputs, type ActionInputs } from './inputs.js';
import { coreLog, type Log } from './log.js';
import { ensureStd } from './rust/std.js';
import { prepareToolchains } from './toolchain/prepare.js';

/** The runner's environment the action depends on, read once. */
interface RunnerEnv {
  workspace: string;
  temp: string;
  toolCache: string;
}

function runnerEnv(env: NodeJS.ProcessEnv): RunnerEnv {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const temp = env.RUNNER_TEMP || path.join(workspace, '.rust-rpi-cross-tmp');
  return { workspace, temp, toolCache: env.RUNNER_TOOL_CACHE || path.join(temp, 'tool-cache') };
}

export async function run(): Promise<void> {
  try {
    await pipeline(coreLog);
  } catch (err) {
    fail(err);
  }
}

async function pipeline(log: Log): Promise<void> {
  const renv = runnerEnv(process.env);
  const inputs = parseInputs((name) => core.getInput(name), renv.workspace);
  const triples = inputs.targets.map((t) => t.spec.triple);
  log.info(
    `Targets: ${inputs.targets.map((t) => `${t.spec.triple} (${t.boards.join(', ')})`).join('; ')}`,
  );
  const rustCtx = {
    toolchain: inputs.rustToolchain,
    cwd: inputs.workingDirectory,
    env: process.env,
    log,
  };
  await log.group('Rust targets', () => ensureStd(triples, rustCtx));
  const { plans, uses } = await log.group('Cross toolchain', () =>
    prepareToolchains(inputs, {
      workspace: renv.workspace,
      toolCacheDir: renv.toolCache,
      tempDir: renv.temp,
      hostOs: process.platform,
      hostArch: process.arch,
      actionsCache: inputs.cache,
      log,
      download: { attempts: 3, backoffMs: 2000, idleTimeoutMs: 60000 },
    }),
  );
  const env = configureCargo(inputs, plans, renv, log);
  const buildEnv = { ...process.env, ...env };
  const cargoCtx = { cwd: inputs.workingDirectory, env: buildEnv, log };
  core.info(`::add-matcher::${matcherPath()}`);
  let binaries: BuiltBinary[] = [];
  if (inputs.command !== 'test') {
    binaries = await log.group('Build', () => cargoBuild(inputs, triples, cargoCtx));
    for (const b of binaries) log.info(`${b.target}: ${b.path}`);
  }
  if (inputs.command !== 'build')
    await log.group('Test (under qemu)', () => cargoTest(inputs, triples, cargoCtx));
  core.setOutput('targets', triples.join('\n'));
  core.setOutput('toolchains', JSON.stringify(uses));
  core.setOutput('binaries', JSON.stringify(binaries));
}

function configureCargo(
  inputs: ActionInputs,
  plans: Map<string, import('./cargo/env.js').LinkPlan>,
  renv: RunnerEnv,
  log: Log,
): Record<string, string> {
  const env: Record<string, string> = {};
  const runnerDir = spaceFreeRunnerDir(renv.temp);
  for (const target of inputs.targets) {
    const plan = plans.get(target.spec.triple);
    if (!plan) throw new Error(`internal: no link plan for ${target.spec.triple}`);
    const qemu = findQemu(target.spec.qemu.binary, process.env.PATH);
    if (!qemu)
      log.warning(
        `${target.spec.qemu.binary} not found: no cargo runner for ${target.spec.triple}; install qemu-user-static to run ARM binaries`,
      );
    const sysroot = plan.kind === 'gcc' && target.spec.interpreter ? plan.layout.sysroot : null;
    const runner = qemu ? linkRunner(runnerDir, target.spec.triple, qemu, sysroot) : null;
    Object.assign(env, cargoEnv(target, plan, runner));
  }
  env.PKG_CONFIG_ALLOW_CROSS = '1';
  for (const [k, v] of Object.entries(env)) {
    core.exportVariable(k, v);
    log.info(`${k}=${v}`);
  }
  return env;
}

function matcherPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'matchers', 'rust.json');
}

function fail(err: unknown): void {
  if (err instanceof ActionError) {
    core.setFailed(err.message);
  } else {
    // Not a user error: keep the message, and the stack in the debug log for bug reports.
    core.debug(err instanceof Error ? (err.stack ?? '') : '');
    core.setFailed(`internal error: ${errorMessage(err)} — please report it with this log`);
  }
}

export { INPUT_NAMES };
