import * as fs from 'node:fs';
import * as path from 'node:path';
import { cargoBuild, cargoTest } from './cargo/build.js';
import { checkArgs } from './cargo/conflicts.js';
import { configureCargo, type CargoSetup } from './cargo/configure.js';
import type { LinkPlan } from './cargo/env.js';
import type { BuiltBinary } from './cargo/messages.js';
import { ActionError, InputError, errorMessage } from './errors.js';
import { parseInputs, type ActionInputs, type InputGetter } from './inputs.js';
import type { Log } from './log.js';
import { envLine } from './log-text.js';
import { actionOutputs } from './outputs.js';
import { PLACEHOLDERS, renderName } from './package/archive.js';
import { ensureQemu } from './qemu.js';
import { hostRun, qemuMissingAdvice, type HostFacts } from './zig/host-run.js';
import { withSysrootHint } from './sysroot/hint.js';
import {
  adoptSysroots,
  prepareSysroots,
  wantsPiOsPackages,
  type PreparedSysroot,
  type PreparedSysroots,
} from './sysroot/stage.js';
import { ensureStd } from './rust/std.js';
import { ship, type ShipResult } from './ship.js';
import { cargoStripEnv, stageBinaries, type StagedBinary } from './stage.js';
import { checkToolCache, type RunnerEnv } from './runner-env.js';
import type { RunReport } from './summary.js';
import { makePrivateDir } from './tempdir.js';
import { saveCachedDir } from './toolchain/actions-cache.js';
import { prepareToolchains, type ToolchainUse, type ZigCacheEntry } from './toolchain/prepare.js';
import { adoptCrossLibc, zigTargetsWithoutLibc } from './zig/runtime.js';
import { crossLibcPackages } from './zig/select.js';
import { checkBinaries, verificationFailure, type CheckedBinary } from './verify/binaries.js';

/**
 * What a front door (the action's main.ts, the CLI) gives the pipeline: where inputs come from
 * and where its results go. The stages never learn which front door runs them.
 */
export interface FrontDoor {
  getInput: InputGetter;
  /** Where the run reads and writes (runner variables, or the user's cache dir). */
  runnerEnv: RunnerEnv;
  /** The directory of the running bundle: the zig wrapper's program is found beside it. */
  distDir: string;
  /** Checks of the front door's own files, after the inputs and before any work. */
  preflight(): void;
  /** Each variable the user's later cargo commands need (the action: GITHUB_ENV). */
  exportVariable(name: string, value: string): void;
  /** Log those variables as debug lines only (the CLI: `env` prints them, --verbose shows them). */
  quietEnv?: boolean;
  /** The step's outputs, written only once everything succeeded. */
  setOutputs(outputs: Record<string, string>): void;
  writeSummary(report: RunReport, log: Log): Promise<void>;
  /** Called before cargo runs (the action registers its problem matcher). */
  beforeCargo(): void;
  /** false: nothing is uploaded, whatever the `upload` input says. */
  upload: boolean;
  /** Where the archives and SHA256SUMS go, given the run's private directory and the binaries. */
  packageDir(work: string, staged: readonly StagedBinary[]): string;
}

/** Everything set up before cargo runs: enough for a plain `cargo build` in the user's shell. */
export interface Prepared {
  inputs: ActionInputs;
  triples: string[];
  /** This run's private directory (downloads, runner links, staged binaries). */
  work: string;
  plans: Map<string, LinkPlan>;
  uses: ToolchainUse[];
  zigCache: ZigCacheEntry | null;
  /** Per triple, the merged sysroot of `sysroot-packages` (empty without them). */
  sysroots: Map<string, PreparedSysroot>;
  /** What to do without qemu on this host, for the smoke-run warnings. */
  qemuAdvice: string;
  cargo: CargoSetup;
  times: [string, number][];
  stage: Stage;
}

export interface PipelineResult {
  prepared: Prepared;
  binaries: CheckedBinary[];
  shipped: ShipResult | null;
  report: RunReport;
  outputs: Record<string, string>;
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

/** The whole run: inputs, toolchains, build, verification, packages, upload, outputs. */
export async function pipeline(
  door: FrontDoor,
  log: Log,
  temps: string[],
): Promise<PipelineResult> {
  const prepared = await prepare(door, log, temps);
  return finish(prepared, door, log);
}

/** Inputs checked, std and toolchains installed, qemu found, cargo's environment exported. */
export async function prepare(door: FrontDoor, log: Log, temps: string[]): Promise<Prepared> {
  const renv = door.runnerEnv;
  const inputs = parseInputs(door.getInput, renv.workspace);
  checkArgs(inputs.args);
  checkTemplates(inputs);
  door.preflight();
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
      zigRuntime: { node: process.execPath, entry: zigWrapperEntry(door.distDir) },
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
  const piOs: PreparedSysroots = wantsPiOsPackages(inputs, qemus)
    ? await stage('Pi OS packages', () =>
        prepareSysroots(inputs, plans, qemus, {
          toolCacheDir: renv.toolCache,
          workDir: work,
          log,
          zigRuntime: { node: process.execPath, entry: zigWrapperEntry(door.distDir) },
        }),
      )
    : { sysroots: new Map(), runtimes: new Map() };
  adoptSysroots(piOs, plans, uses, log);
  const { sysroots, runtimes } = piOs;
  const host = hostFacts();
  const qemuAdvice = qemuMissingAdvice(host);
  const hostRuns = new Map(
    inputs.targets.map((t) => [
      t.spec.triple,
      hostRun(host, t.spec, t.qemuCpu, inputs.glibcFloor, qemus.has(t.spec.qemu.binary)),
    ]),
  );
  const cargo = configureCargo(inputs.targets, plans, qemus, work, sysroots, runtimes, hostRuns);
  // A work dir with a space puts the runner links elsewhere: the front door may clean both.
  for (const r of cargo.runners.values()) {
    if (r.kind !== 'qemu') continue;
    const dir = path.dirname(r.qemu);
    if (!temps.includes(dir) && path.relative(work, dir).startsWith('..')) temps.push(dir);
  }
  const runs = [...hostRuns.values()];
  if (runs.every((r) => r.how === 'none')) {
    // macOS and unknown hosts: one notice per target instead of advice to install what is not there.
    for (const r of runs) if (r.how === 'none') log.warning(r.notice, 'no smoke run on this host');
  } else {
    for (const r of runs) if (r.how === 'native') log.warning(r.note, 'smoke run natively');
    for (const q of cargo.missingQemu) {
      log.warning(
        `${q} not found: no cargo runner for its targets, binaries are checked statically only. ${qemuAdvice}`,
        'qemu missing',
      );
    }
  }
  for (const [k, v] of Object.entries(cargo.env)) {
    door.exportVariable(k, v);
    if (door.quietEnv) log.debug(envLine(k, v));
    else log.info(envLine(k, v));
  }
  return {
    inputs,
    triples,
    work,
    plans,
    uses,
    zigCache,
    sysroots,
    qemuAdvice,
    cargo,
    times,
    stage,
  };
}

/** Build (and test), stage, verify, package and upload what `prepare` set up. */
export async function finish(p: Prepared, door: FrontDoor, log: Log): Promise<PipelineResult> {
  const { inputs, triples, work, plans, uses, zigCache, sysroots, cargo, times, stage } = p;
  const stripEnv = cargoStripEnv(inputs.profile, plans, inputs.strip);
  const built = await buildAndTest(
    inputs,
    triples,
    { ...process.env, ...cargo.env, ...stripEnv },
    stage,
    log,
    door,
  ).catch((err: unknown) =>
    withSysrootHint(err, { inputs, sysroots, toolCacheDir: door.runnerEnv.toolCache, log }),
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
    checkBinaries(staged, {
      inputs,
      targets: inputs.targets,
      runners: cargo.runners,
      qemuAdvice: p.qemuAdvice,
      log,
    }),
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
    await door.writeSummary(report, log);
    throw new VerificationFailed(failure, report);
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
      ship(staged, door.upload ? inputs : { ...inputs, upload: false }, {
        outDir: door.packageDir(work, staged),
        crateDir,
        refName: door.runnerEnv.refName,
        log,
      }),
    );
    report.archives = shipped.packaged.archives;
    report.artifacts = shipped.artifacts;
  }
  await door.writeSummary(report, log);
  // Outputs are written only once everything succeeded: a failed upload reports nothing.
  const outputs = actionOutputs(triples, uses, binaries, shipped, [...sysroots.values()]);
  door.setOutputs(outputs);
  return { prepared: p, binaries, shipped, report, outputs };
}

/** A failed verification, with the report the front door shows beside the error. */
export class VerificationFailed extends ActionError {
  constructor(
    message: string,
    readonly report: RunReport,
  ) {
    super(message, 'verify');
  }
}

async function buildAndTest(
  inputs: ActionInputs,
  triples: string[],
  env: NodeJS.ProcessEnv,
  stage: Stage,
  log: Log,
  door: FrontDoor,
): Promise<BuiltBinary[]> {
  const ctx = { cwd: inputs.workingDirectory, env, log };
  door.beforeCargo();
  let built: BuiltBinary[] = [];
  if (inputs.command !== 'test')
    built = await stage('Build', () => cargoBuild(inputs, triples, ctx));
  if (inputs.command !== 'build')
    await stage('Test under qemu', () => cargoTest(inputs, triples, ctx));
  return built;
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

/** The zig wrappers' program, bundled beside the front door's bundle (see package.json `bundle`). */
function zigWrapperEntry(distDir: string): string {
  return path.join(distDir, 'zig-wrapper', 'index.js');
}

/** Removes the run's directories that stayed empty (a run that failed before writing anything). */
export function removeEmpty(temps: readonly string[]): void {
  for (const dir of temps) {
    try {
      fs.rmdirSync(dir); // only if empty: what is in it may be named by exported variables
    } catch {
      // not empty, or already gone
    }
  }
}

/** Programming errors, as opposed to failures with a message meant for the user. */
export function isInternal(err: unknown): boolean {
  return (
    !(err instanceof Error) ||
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError
  );
}

/** The runner's host as host-run.ts reads it. */
function hostFacts(): HostFacts {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  return { os: process.platform, arch: process.arch, glibc: header?.glibcVersionRuntime ?? null };
}
