import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { ActionError, errorMessage } from './errors.js';
import { coreLog, type Log } from './log.js';
import { isInternal, pipeline, removeEmpty, type FrontDoor } from './pipeline.js';
import { checkCommandFiles, runnerEnv } from './runner-env.js';
import { renderSummary, type RunReport } from './summary.js';

/** The action's front door: inputs from the runner, results to its command files. */
export async function run(): Promise<void> {
  const temps: string[] = [];
  try {
    await pipeline(actionDoor(), coreLog, temps);
  } catch (err) {
    // A run that failed before writing anything leaves no empty directory behind.
    removeEmpty(temps);
    fail(err);
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));

function actionDoor(): FrontDoor {
  return {
    getInput: (name) => core.getInput(name),
    runnerEnv: runnerEnv(process.env, {
      platform: process.platform,
      cwd: process.cwd(),
      home: os.homedir(),
      tmpdir: os.tmpdir(),
    }),
    distDir: here,
    preflight: () => checkCommandFiles(process.env),
    exportVariable: (k, v) => {
      try {
        core.exportVariable(k, v);
      } catch (err) {
        throw new ActionError(
          `cannot export ${k} to GITHUB_ENV (${process.env.GITHUB_ENV ?? ''}): ${errorMessage(err)}`,
          'GITHUB_ENV',
        );
      }
    },
    setOutputs: (outputs) => {
      try {
        for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
      } catch (err) {
        throw new ActionError(
          `cannot write the step's outputs to GITHUB_OUTPUT (${process.env.GITHUB_OUTPUT ?? ''}): ${errorMessage(err)}`,
          'GITHUB_OUTPUT',
        );
      }
    },
    writeSummary,
    beforeCargo: () => core.info(`::add-matcher::${matcherPath()}`),
    upload: true,
    packageDir: (work) => path.join(work, 'dist'),
  };
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

function matcherPath(): string {
  return path.join(here, '..', 'matchers', 'rust.json');
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
