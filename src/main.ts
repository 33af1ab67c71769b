import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { cargoBuild, cargoTest } from './cargo/build.js';
import { configureCargo } from './cargo/configure.js';
import type { BuiltBinary } from './cargo/messages.js';
import { ActionError, InputError, errorMessage } from './errors.js';
import { parseInputs, type ActionInputs } from './inputs.js';
import { coreLog, type Log } from './log.js';
import { actionOutputs } from './outputs.js';
import { PLACEHOLDERS, renderName } from './package/archive.js';
import { ensureQemu } from './qemu.js';
import { ensureStd } from './rust/std.js';
import { ship, type ShipResult } from './ship.js';
import { cargoStripEnv, stageBinaries } from './stage.js';
import { renderSummary, type RunReport } from './summary.js';
import { saveCachedDir } from './toolchain/actions-cache.js';
import { prepareToolchains } from './toolchain/prepare.js';
import { adoptCrossLibc, zigTargetsWithoutLibc } from './zig/runtime.js';
import { crossLibcPackages } from './zig/select.js';
import { checkBinaries, verificationFailure } from './verify/binaries.js';

/** The runner's environment the action depends on, read once. */
interface RunnerEnv {
  workspace: string;
  temp: string;
  toolCache: string;
  refName: string;
}

function runnerEnv(env: NodeJS.ProcessEnv): RunnerEnv {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const temp = env.RUNNER_TEMP || path.join(workspace, '.rust-rpi-cross-tmp');
  return {
    workspace,
    temp,
    toolCache: env.RUNNER_TOOL_CACHE || path.join(temp, 'tool-cache'),
    refName: env.GITHUB_REF_NAME ?? '',
  };
}

export async function run(): Promise<void> {
  try {
    await pipeline(coreLog);
  } catch (err) {
    fail(err);
  }
}

/** Times each stage for the summary while folding its log. */
function stages(log: Log) {
  const times: [string, number][] = [];
  const stage = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await log.group(name, fn);
    } finally {
      times.push([name, Date.now() - t0]);
    }
  };
  return { times, stage };
}

type Stage = ReturnType<typeof stages>['stage'];

async function pipeline(log: Log): Promise<void> {
  const renv = runnerEnv(process.env);
  const inputs = parseInputs((name) => core.getInput(name), renv.workspace);
  checkTemplates(inputs);
  const { times, stage } = stages(log);
  const triples = inputs.targets.map((t) => t.spec.triple);
  log.info(
    `Targets: ${inputs.targets.map((t) => `${t.spec.triple} (${t.boards.join(', ')})`).join('; ')}`,
  );
  // -Zbuild-std compiles the standard library from source: no prebuilt one is needed.
  if (inputs.args.some((a) => a.startsWith('-Zbuild-std'))) {
    log.info('-Zbuild-std: the standard library is built from source, not installed');
  } else {
    const rustCtx = {
      toolchain: inputs.rustToolchain,
      cwd: inputs.workingDirectory,
      env: process.env,
      log,
    };
    await stage('Rust targets', () => ensureStd(triples, rustCtx));
  }
  const { plans, uses, zigCache } = await stage('Cross toolchain', () =>
    prepareToolchains(inputs, {
      workspace: renv.workspace,
      toolCacheDir: renv.toolCache,
      tempDir: renv.temp,
      hostOs: process.platform,
      hostArch: process.arch,
      actionsCache: inputs.cache,
      log,
      zigCacheDir: process.env.ZIG_GLOBAL_CACHE_DIR,
      zigRuntime: { node: process.execPath, entry: zigWrapperEntry() },
      download: { attempts: 3, backoffMs: 2000, idleTimeoutMs: inputs.downloadTimeoutMs },
    }),
  );
  // qemu is installed only when something will run under it; the runner env is set either way.
  const wantsQemu = inputs.smokeTest !== null || inputs.command !== 'build';
  const qemuNames = [...new Set(inputs.targets.map((t) => t.spec.qemu.binary))];
  const needLibc = zigTargetsWithoutLibc(inputs.targets, plans);
  const qemus = await ensureQemu(qemuNames, process.env.PATH, {
    install: wantsQemu,
    log,
    packages: crossLibcPackages(needLibc),
  });
  adoptCrossLibc(needLibc, plans, log);
  const cargo = configureCargo(inputs.targets, plans, qemus, renv.temp);
  for (const q of cargo.missingQemu) {
    log.warning(
      `${q} not found: no cargo runner for its targets, binaries are checked statically only. Install qemu-user-static (apt-get install qemu-user-static) to run them.`,
      'qemu missing',
    );
  }
  for (const [k, v] of Object.entries(cargo.env)) {
    core.exportVariable(k, v);
    log.info(`${k}=${v}`);
  }
  const stripEnv = cargoStripEnv(inputs.profile, plans, inputs.strip);
  const built = await buildAndTest(
    inputs,
    triples,
    { ...process.env, ...cargo.env, ...stripEnv },
    stage,
    log,
  );
  // Best effort, like the toolchain: saved once the build has filled it.
  if (zigCache && !zigCache.hit) await saveCachedDir(zigCache.dir, zigCache.key, log);
  const work = path.join(renv.temp, 'rust-rpi-cross', `${process.pid}-${Date.now()}`);
  const staged = await stageBinaries(built, plans, {
    dir: path.join(work, 'bin'),
    strip: inputs.strip,
    cargoStripped: Object.keys(stripEnv).length > 0,
    log,
  });
  const binaries = await stage('Verify binaries', () =>
    checkBinaries(staged, { inputs, targets: inputs.targets, runners: cargo.runners, log }),
  );
  const report: RunReport = {
    piOs: inputs.piOs,
    glibcFloor: inputs.glibcFloor,
    binaries,
    toolchains: uses,
    archives: [],
    artifacts: [],
    stages: times,
  };
  const failure = verificationFailure(binaries);
  if (failure) {
    await writeSummary(report);
    throw new ActionError(failure, 'verify');
  }
  for (const c of binaries.filter((x) => x.verdict === 'warned')) {
    log.warning(
      `${c.target}/${c.name}: ${c.findings.map((f) => f.message).join(' ')}`,
      'verification (verify: warn)',
    );
  }
  let shipped: ShipResult | null = null;
  if (staged.length > 0) {
    const crateDir = inputs.manifestPath
      ? path.dirname(inputs.manifestPath)
      : inputs.workingDirectory;
    shipped = await stage('Package and upload', () =>
      ship(staged, inputs, {
        outDir: path.join(work, 'dist'),
        crateDir,
        refName: renv.refName,
        log,
      }),
    );
    report.archives = shipped.packaged.archives;
    report.artifacts = shipped.artifacts;
  }
  await writeSummary(report);
  // Outputs are written only once everything succeeded: a failed upload reports nothing.
  for (const [k, v] of Object.entries(actionOutputs(triples, uses, binaries, shipped)))
    core.setOutput(k, v);
}

async function buildAndTest(
  inputs: ActionInputs,
  triples: string[],
  env: NodeJS.ProcessEnv,
  stage: Stage,
  log: Log,
): Promise<BuiltBinary[]> {
  const ctx = { cwd: inputs.workingDirectory, env, log };
  core.info(`::add-matcher::${matcherPath()}`);
  let built: BuiltBinary[] = [];
  if (inputs.command !== 'test')
    built = await stage('Build', () => cargoBuild(inputs, triples, ctx));
  if (inputs.command !== 'build')
    await stage('Test under qemu', () => cargoTest(inputs, triples, ctx));
  return built;
}

async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(renderSummary(report)).write();
}

/** Template mistakes are found before a minute of building, not after. */
function checkTemplates(inputs: ActionInputs): void {
  const sample = Object.fromEntries(PLACEHOLDERS.map((p) => [p, 'x']));
  const templates = [
    ['archive-name', inputs.archiveName],
    ['artifact-name', inputs.artifactName],
  ] as const;
  for (const [input, template] of templates) {
    try {
      renderName(template, sample);
    } catch (err) {
      throw new InputError(input, errorMessage(err));
    }
  }
}

/** The zig wrappers' program, bundled beside dist/index.js (see package.json `bundle`). */
function zigWrapperEntry(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'zig-wrapper', 'index.js');
}

function matcherPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'matchers', 'rust.json');
}

/** Programming errors, as opposed to failures with a message meant for the user. */
function isInternal(err: unknown): boolean {
  return (
    !(err instanceof Error) ||
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError
  );
}

function fail(err: unknown): void {
  // The stack goes to the debug log (for bug reports), never into the user's annotation.
  core.debug(err instanceof Error ? (err.stack ?? '') : '');
  if (isInternal(err)) {
    core.setFailed(`internal error: ${errorMessage(err)} — please report it with this log`);
  } else {
    // The annotation's title says which input or stage to look at.
    const where = err instanceof ActionError ? err.where : undefined;
    core.error(errorMessage(err), where ? { title: `rust-rpi-cross: ${where}` } : {});
    process.exitCode = 1;
  }
}
