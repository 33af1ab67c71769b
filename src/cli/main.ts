/**
 * The CLI's front door: the same stages as the action (src/pipeline.ts), inputs from flags,
 * results on the terminal. Exit status: 0 done, 1 build or verification failed, 2 bad usage.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { howRun, runnerCommand } from '../cargo/env.js';
import { ActionError, InputError, errorMessage } from '../errors.js';
import { runAttached } from '../exec.js';
import { parseInputs } from '../inputs.js';
import type { Log } from '../log.js';
import { inertText, showValue } from '../log-text.js';
import {
  VerificationFailed,
  finish,
  isInternal,
  pipeline,
  prepare,
  removeEmpty,
  type FrontDoor,
  type PipelineResult,
} from '../pipeline.js';
import { runnerEnv } from '../runner-env.js';
import type { RunReport } from '../summary.js';
import { COMMANDS, UsageError, helpText, parseCommandLine, type ParsedCommand } from './flags.js';
import { cliLog, wantsColor } from './log.js';
import { progressSink } from './progress.js';
import { renderExports, renderTable } from './render.js';
import { renderVerdict, verifyFile } from './verify.js';

export interface Terminal {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const defaultTerminal = (): Terminal => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

/** What to do on a host without qemu-user, by platform. */
const NO_QEMU: Partial<Record<NodeJS.Platform, string>> = {
  linux:
    'install qemu-user-static (Debian/Ubuntu: sudo apt-get install qemu-user-static; Fedora: sudo dnf install qemu-user-static) and run again',
  darwin:
    'macOS has no qemu-user (it runs Linux programs only on Linux): build with rust-rpi-cross build and copy the binary to the Pi (scp target/rpi-cross/… pi@raspberrypi.local:), or use run inside a Linux VM or container with qemu-user-static',
};
const NO_QEMU_ELSEWHERE =
  'qemu-user runs Linux programs on Linux only: build with rust-rpi-cross build and run the binary on the Pi, or use run inside a Linux VM with qemu-user-static';

/** The bundle's directory: dist/cli/ (the zig wrapper program is in dist/zig-wrapper/). */
const here = path.dirname(fileURLToPath(import.meta.url));

export async function main(
  argv: readonly string[],
  term: Terminal = defaultTerminal(),
): Promise<number> {
  let parsed: ParsedCommand;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const command = argv[0] && argv[0] in COMMANDS ? ` ${argv[0]}` : '';
    term.stderr.write(`${inertText(`rust-rpi-cross${command}: ${err.message}`)}\n`);
    return 2;
  }
  if (parsed.help) {
    term.stdout.write(helpText(parsed.positionals[0] === '--all' ? 'all' : parsed.command));
    return 0;
  }
  const colorOut = wantsColor(term.stdout.isTTY, term.env);
  const log = cliLog({
    quiet: parsed.quiet,
    verbose: parsed.verbose,
    color: wantsColor(term.stderr.isTTY, term.env),
    write: (s) => term.stderr.write(s),
    inActions: term.env.GITHUB_ACTIONS === 'true',
    progress: progressSink(term.stderr.isTTY === true, () => Date.now()),
  });
  const temps: string[] = [];
  try {
    return await dispatch(parsed, term, log, colorOut, temps);
  } catch (err) {
    return failure(err, parsed, term, colorOut);
  } finally {
    // env's exports name the runner links in the run's directory: those stay. After build and
    // run nothing in it is needed (the results are in target/), so /tmp does not fill up.
    if (parsed.command === 'env') removeEmpty(temps);
    else for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function door(parsed: ParsedCommand, term: Terminal): FrontDoor {
  return {
    getInput: parsed.getInput,
    // The directory the CLI runs in is the repository: paths stay inside it, as in the action.
    runnerEnv: runnerEnv(
      { ...term.env, GITHUB_WORKSPACE: term.cwd },
      { platform: process.platform, cwd: term.cwd, home: os.homedir(), tmpdir: os.tmpdir() },
    ),
    distDir: path.dirname(here),
    preflight: () => undefined,
    exportVariable: () => undefined,
    quietEnv: true,
    setOutputs: () => undefined,
    writeSummary: async () => undefined,
    beforeCargo: () => undefined,
    upload: false,
    // Beside cargo's own output: <target-dir>/<triple>/<profile>/<bin> → <target-dir>/rpi-cross.
    packageDir: (work, staged) => {
      const first = staged[0];
      return first
        ? path.resolve(path.dirname(first.builtPath), '..', '..', 'rpi-cross')
        : path.join(work, 'dist');
    },
  };
}

async function dispatch(
  parsed: ParsedCommand,
  term: Terminal,
  log: Log,
  color: boolean,
  temps: string[],
): Promise<number> {
  const d = door(parsed, term);
  switch (parsed.command) {
    case 'verify': {
      const [file, ...extra] = parsed.positionals;
      if (file === undefined || extra.length > 0)
        throw new UsageError(
          `give exactly one FILE, e.g. rust-rpi-cross verify target/arm-unknown-linux-gnueabihf/release/app --target pi-zero`,
        );
      const inputs = parseInputs(parsed.getInput, d.runnerEnv.workspace);
      const v = verifyFile(path.resolve(term.cwd, file), inputs);
      term.stdout.write(parsed.json ? json(v) : inertText(renderVerdict(v, color)));
      return v.ok ? 0 : 1;
    }
    case 'env': {
      const p = await prepare(d, log, temps);
      const vars = { ...p.cargo.env };
      // A plain `cargo build` in the user's shell then uses the toolchain the flags named.
      if (p.inputs.rustToolchain) vars.RUSTUP_TOOLCHAIN = p.inputs.rustToolchain;
      term.stdout.write(renderExports(vars, parsed.syntax));
      return 0;
    }
    case 'build': {
      const r = await pipeline(d, log, temps);
      term.stdout.write(
        parsed.json ? jsonResult(r.report, r) : inertText(table(r.report, r, color)),
      );
      return 0;
    }
    case 'run': {
      const p = await prepare(d, log, temps);
      const [target, ...more] = p.inputs.targets;
      if (!target || more.length > 0)
        throw new UsageError(
          `--target: run starts one binary on one board; name one, e.g. --target ${p.inputs.targets[0]?.boards[0] ?? 'pi4'}`,
        );
      const runner = p.cargo.runners.get(target.spec.triple);
      if (!runner)
        throw new ActionError(
          `no ${target.spec.qemu.binary} (qemu-user) on this host to run ${target.spec.triple} binaries: ${NO_QEMU[process.platform] ?? NO_QEMU_ELSEWHERE}`,
          'run',
        );
      const r = await finish(p, d, log);
      const names = [...new Set(r.binaries.map((b) => b.name))];
      const bin = r.binaries[0];
      if (!bin || names.length > 1)
        throw new UsageError(
          names.length > 1
            ? `--bin: the build made ${names.length} binaries (${names.join(', ')}); pick one, e.g. --bin ${names[0]}`
            : `the build made no binary to run; name one with --bin NAME`,
        );
      const ran = howRun(target, runner);
      log.info(
        `Running ${bin.name} ${ran.how === 'qemu' ? `under ${target.spec.qemu.binary} -cpu ${ran.cpu}` : 'natively on this host (no qemu)'}`,
      );
      const [program, ...args] = [
        ...runnerCommand(target, runner),
        bin.path,
        ...parsed.positionals,
      ];
      return runAttached(program as string, args, { cwd: term.cwd });
    }
  }
}

function files(r: PipelineResult | null) {
  return {
    archives: r?.shipped?.packaged.archives.map((a) => a.path) ?? [],
    checksums: r?.shipped?.packaged.checksumsPath ?? null,
  };
}

function table(report: RunReport, r: PipelineResult | null, color: boolean): string {
  return renderTable(report, files(r), color);
}

function jsonResult(report: RunReport, r: PipelineResult | null, error?: string): string {
  const out = {
    ok: error === undefined,
    ...(error === undefined ? {} : { error }),
    piOs: report.piOs,
    glibcFloor: report.glibcFloor,
    binaries: report.binaries.map((b) => ({
      target: b.target,
      boards: b.boards,
      name: b.name,
      path: b.path,
      builtPath: b.builtPath,
      size: b.size,
      sha256: b.sha256,
      glibc: b.facts?.glibcNeeded ?? null,
      runsOn: b.facts?.runsOn ?? null,
      verdict: b.verdict,
      findings: b.findings,
      smoke: b.smoke,
    })),
    toolchains: report.toolchains,
    ...files(r),
    stages: Object.fromEntries(report.stages),
  };
  return json(out);
}

/**
 * JSON whose lines no runner reads as a command: JSON.stringify escapes the line breaks, and
 * `##[` (a command anywhere in a line) is written with the same character as `\u005b`.
 */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/##\[/g, '##\\u005b')}\n`;
}

/** One line (a failed verification: the table, then the reasons) and the exit status. */
function failure(err: unknown, parsed: ParsedCommand, term: Terminal, color: boolean): number {
  // Messages can carry cargo's or a build script's output: inert, should a workflow step run us.
  const say = (m: string) =>
    term.stderr.write(`${inertText(`rust-rpi-cross ${parsed.command}: ${m}`)}\n`);
  if (err instanceof UsageError) {
    say(err.message);
    return 2;
  }
  if (err instanceof InputError) {
    // The action says "input 'pi-os': …"; here the same message names the flag.
    say(`--${err.input}: ${err.message.replace(/^input '[^']*': /, '')}`);
    return 2;
  }
  if (err instanceof VerificationFailed) {
    term.stdout.write(
      parsed.json
        ? jsonResult(err.report, null, err.message)
        : inertText(table(err.report, null, color)),
    );
    say(err.message.replace("(set 'verify: warn' to ship anyway)", '(--verify warn ships anyway)'));
    return 1;
  }
  if (!isInternal(err)) {
    say(errorMessage(err));
    return 1;
  }
  say(`internal error: ${showValue(errorMessage(err))} — please report it`);
  if (parsed.verbose && err instanceof Error) term.stderr.write(`${err.stack ?? ''}\n`);
  return 1;
}
