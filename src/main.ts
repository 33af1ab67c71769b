import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { cargoBuild, cargoTest } from './cargo/build.js';
import type { LinkPlan, RunnerPaths } from './cargo/env.js';
import { cargoEnv } from './cargo/env.js';
import type { BuiltBinary } from './cargo/messages.js';
import { linkRunner, spaceFreeRunnerDir } from './cargo/runner.js';
import { ensureQemu } from './qemu.js';
import { ActionError, InputError, errorMessage } from './errors.js';
import { parseInputs, type ActionInputs } from './inputs.js';
import { coreLog, type Log } from './log.js';
import { PLACEHOLDERS, renderName } from './package/archive.js';
import { ensureStd } from './rust/std.js';
import { ship, type ShipResult } from './ship.js';
import { cargoStripEnv, stageBinaries } from './stage.js';
import { renderSummary, type RunReport } from './summary.js';
import { prepareToolchains } from './toolchain/prepare.js';
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

async function pipeline(log: Log): Promise<void> {
  const renv = runnerEnv(process.env);
  const inputs = parseInputs((name) => core.getInput(name), renv.workspace);
  checkTemplates(inputs);
  const { times, stage } = stages(log);
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
  // -Zbuild-std compiles the standard library from source: no prebuilt one is needed.
  if (inputs.args.some((a) => a.startsWith('-Zbuild-std'))) {
    log.info('-Zbuild-std: the standard library is built from source, not installed');
  } else {
    await stage('Rust targets', () => ensureStd(triples, rustCtx));
  }
  const { plans, uses } = await stage('Cross toolchain', () =>
    prepareToolchains(inputs, {
      workspace: renv.workspace,
      toolCacheDir: renv.toolCache,
      tempDir: renv.temp,
      hostOs: process.platform,
      hostArch: process.arch,
      actionsCache: inputs.cache,
      log,
      download: { attempts: 3, backoffMs: 2000, idleTimeoutMs: inputs.downloadTimeoutMs },
    }),
  );
  // qemu is installed only when something will run under it; the runner env is set either way.
  const wantsQemu = inputs.smokeTest !== null || inputs.command !== 'build';
  const qemuNames = [...new Set(inputs.targets.map((t) => t.spec.qemu.binary))];
  const qemus = await ensureQemu(qemuNames, process.env.PATH, { install: wantsQemu, log });
  const { env, runners } = configureCargo(inputs, plans, qemus, renv, log);
  const stripEnv = cargoStripEnv(inputs.profile, plans, inputs.strip);
  const buildEnv = { ...process.env, ...env, ...stripEnv };
  const cargoCtx = { cwd: inputs.workingDirectory, env: buildEnv, log };
  core.info(`::add-matcher::${matcherPath()}`);
  let built: BuiltBinary[] = [];
  if (inputs.command !== 'test')
    built = await stage('Build', () => cargoBuild(inputs, triples, cargoCtx));
  if (inputs.command !== 'build')
    await stage('Test under qemu', () => cargoTest(inputs, triples, cargoCtx));
  const work = path.join(renv.temp, 'rust-rpi-cross', `${process.pid}-${Date.now()}`);
  const staged = await stageBinaries(built, plans, {
    dir: path.join(work, 'bin'),
    strip: inputs.strip,
    cargoStripped: Object.keys(stripEnv).length > 0,
    log,
  });
  const checked = await stage('Verify binaries', () =>
    checkBinaries(staged, { inputs, targets: inputs.targets, runners, log }),
  );
  const binaries = checked.map((c, i) => ({
    ...c,
    sha256: (staged[i] as (typeof staged)[number]).sha256,
    stripped: (staged[i] as (typeof staged)[number]).stripped,
  }));
  const report: RunReport = {
    piOs: inputs.piOs,
    glibcFloor: inputs.glibcFloor,
    binaries,
    toolchains: uses,
    archives: [],
    artifacts: [],
    stages: times,
  };
  const failure = verificationFailure(checked);
  if (failure) {
    await writeSummary(report);
    throw new ActionError(failure, 'verify');
  }
  for (const c of checked.filter((x) => x.verdict === 'warned')) {
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
  setOutputs(triples, uses, report, shipped);
}

function setOutputs(
  triples: string[],
  uses: unknown,
  report: RunReport,
  shipped: ShipResult | null,
): void {
  // Outputs are written only once everything succeeded: a failed upload reports nothing.
  core.setOutput('targets', triples.join('\n'));
  core.setOutput('toolchains', JSON.stringify(uses));
  core.setOutput(
    'binaries',
    JSON.stringify(
      report.binaries.map((b) => ({
        target: b.target,
        name: b.name,
        path: b.path,
        package: b.package,
        version: b.version,
        size: b.size,
        sha256: b.sha256,
        glibc: b.facts?.glibcNeeded ?? null,
        piOs: b.facts?.runsOn ?? null,
        boards: b.boards,
        verified: b.verdict,
      })),
    ),
  );
  core.setOutput('archives', (shipped?.packaged.archives ?? []).map((a) => a.path).join('\n'));
  core.setOutput('checksums', shipped?.packaged.checksumsPath ?? '');
  core.setOutput('artifact-ids', (shipped?.artifacts ?? []).map((a) => a.id).join('\n'));
  core.setOutput('artifact-urls', (shipped?.artifacts ?? []).map((a) => a.url).join('\n'));
}

async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(renderSummary(report)).write();
}

/** Template mistakes are found before a minute of building, not after. */
function checkTemplates(inputs: ActionInputs): void {
  const sample = Object.fromEntries(PLACEHOLDERS.map((p) => [p, 'x']));
  for (const [input, template] of [
    ['archive-name', inputs.archiveName],
    ['artifact-name', inputs.artifactName],
  ] as const) {
    try {
      renderName(template, sample);
    } catch (err) {
      throw new InputError(input, errorMessage(err));
    }
  }
}

function configureCargo(
  inputs: ActionInputs,
  plans: Map<string, LinkPlan>,
  qemus: ReadonlyMap<string, string>,
  renv: RunnerEnv,
  log: Log,
): { env: Record<string, string>; runners: Map<string, RunnerPaths> } {
  const env: Record<string, string> = {};
  const runners = new Map<string, RunnerPaths>();
  const runnerDir = spaceFreeRunnerDir(renv.temp);
  for (const target of inputs.targets) {
    const plan = plans.get(target.spec.triple);
    if (!plan) throw new Error(`internal: no link plan for ${target.spec.triple}`);
    const qemu = qemus.get(target.spec.qemu.binary);
    if (!qemu) {
      log.warning(
        `${target.spec.qemu.binary} not found: no cargo runner for ${target.spec.triple}, binaries are checked statically only. Install qemu-user-static (apt-get install qemu-user-static) to run them.`,
        'qemu missing',
      );
    }
    const sysroot = plan.kind === 'gcc' && target.spec.interpreter ? plan.layout.sysroot : null;
    const runner = qemu ? linkRunner(runnerDir, target.spec.triple, qemu, sysroot) : null;
    if (runner) runners.set(target.spec.triple, runner);
    Object.assign(env, cargoEnv(target, plan, runner));
  }
  env.PKG_CONFIG_ALLOW_CROSS = '1';
  for (const [k, v] of Object.entries(env)) {
    core.exportVariable(k, v);
    log.info(`${k}=${v}`);
  }
  return { env, runners };
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
  if (!isInternal(err)) {
    if (!(err instanceof ActionError)) core.debug((err as Error).stack ?? '');
    core.setFailed(errorMessage(err));
    return;
  }
  // Keep the stack in the debug log for the bug report, not in the user's face.
  core.debug(err instanceof Error ? (err.stack ?? '') : '');
  core.setFailed(`internal error: ${errorMessage(err)} — please report it with this log`);
}
