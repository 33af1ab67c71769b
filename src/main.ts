import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { cargoBuild, cargoTest } from './cargo/build.js';
import { checkArgs } from './cargo/conflicts.js';
import { configureCargo } from './cargo/configure.js';
import type { BuiltBinary } from './cargo/messages.js';
import { ActionError, InputError, errorMessage } from './errors.js';
import { parseInputs, type ActionInputs } from './inputs.js';
import { coreLog, type Log } from './log.js';
import { envLine } from './log-text.js';
import { actionOutputs } from './outputs.js';
import { PLACEHOLDERS, renderName } from './package/archive.js';
import { ensureQemu } from './qemu.js';
import { ensureStd } from './rust/std.js';
import { ship, type ShipResult } from './ship.js';
import { cargoStripEnv, stageBinaries } from './stage.js';
import { checkCommandFiles, checkToolCache, runnerEnv } from './runner-env.js';
import { renderSummary, type RunReport } from './summary.js';
import { makePrivateDir } from './tempdir.js';
import { saveCachedDir } from './toolchain/actions-cache.js';
import { prepareToolchains } from './toolchain/prepare.js';
import { adoptCrossLibc, zigTargetsWithoutLibc } from './zig/runtime.js';
import { crossLibcPackages } from './zig/select.js';
import { prepareSysroots, type PreparedSysroot } from './sysroot/stage.js';
import { checkBinaries, verificationFailure } from './verify/binaries.js';

export async function run(): Promise<void> {
  const temps: string[] = [];
  try {
    await pipeline(coreLog, temps);
  } catch (err) {
    // A run that failed before writing anything leaves no empty directory behind.
    for (const dir of temps) {
      try {
        fs.rmdirSync(dir); // only if empty: what is in it may be named by exported variables
      } catch {
        // not empty, or already gone
      }
    }
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

async function pipeline(log: Log, temps: string[]): Promise<void> {
  const renv = runnerEnv(process.env, {
    platform: process.platform,
    cwd: process.cwd(),
    home: os.homedir(),
    tmpdir: os.tmpdir(),
  });
  const inputs = parseInputs((name) => core.getInput(name), renv.workspace);
  checkArgs(inputs.args);
  checkTemplates(inputs);
  checkCommandFiles(process.env);
  checkToolCache(renv.toolCache, renv.ownToolCache);
  // Downloads, staged binaries, archives and runner links: one fresh owner-only directory. Kept
  // after the run: the outputs name the archives in it, later steps use the runner links.
  const work = makePrivateDir(renv.temp, 'rust-rpi-cross-', 'RUNNER_TEMP');
  temps.push(work);
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
      tempDir: work,
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
  const sysroots = inputs.sysroot
    ? await stage('Sysroot packages', () =>
        prepareSysroots(inputs, plans, {
          toolCacheDir: renv.toolCache,
          workDir: work,
          log,
          zigRuntime: { node: process.execPath, entry: zigWrapperEntry() },
        }),
      )
    : new Map<string, PreparedSysroot>();
  const cargo = configureCargo(inputs.targets, plans, qemus, work, sysroots);
  for (const q of cargo.missingQemu) {
    log.warning(
      `${q} not found: no cargo runner for its targets, binaries are checked statically only. Install qemu-user-static (apt-get install qemu-user-static) to run them.`,
      'qemu missing',
    );
  }
  for (const [k, v] of Object.entries(cargo.env)) {
    try {
      core.exportVariable(k, v);
    } catch (err) {
      throw new ActionError(
        `cannot export ${k} to GITHUB_ENV (${process.env.GITHUB_ENV ?? ''}): ${errorMessage(err)}`,
        'GITHUB_ENV',
      );
    }
    log.info(envLine(k, v));
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
    sysroots: [...sysroots.values()],
  };
  const failure = verificationFailure(binaries);
  if (failure) {
    await writeSummary(report, log);
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
  await writeSummary(report, log);
  // Outputs are written only once everything succeeded: a failed upload reports nothing.
  try {
    for (const [k, v] of Object.entries(
      actionOutputs(triples, uses, binaries, shipped, [...sysroots.values()]),
    ))
      core.setOutput(k, v);
  } catch (err) {
    throw new ActionError(
      `cannot write the step's outputs to GITHUB_OUTPUT (${process.env.GITHUB_OUTPUT ?? ''}): ${errorMessage(err)}`,
      'GITHUB_OUTPUT',
    );
  }
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

/** The summary is a report: a runner file it cannot go to costs a warning, not the build. */
async function writeSummary(report: RunReport, log: Log): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    await core.summary.addRaw(renderSummary(report)).write();
  } catch (err) {
    log.warning(
      `cannot write the job summary to GITHUB_STEP_SUMMARY (${file}): ${errorMessage(err)}`,
      'job summary',
    );
  }
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
