import * as fs from 'node:fs';
import { howRunWords, type RunnerPaths } from '../cargo/env.js';
import { verifyBytes, type BinaryFacts, type Finding, type FindingCode } from '../elf/index.js';
import type { ActionInputs } from '../inputs.js';
import type { Log } from '../log.js';
import { showValue } from '../log-text.js';
import type { StagedBinary } from '../stage.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import { smokeWith, type SmokeResult } from './smoke.js';

/** An ELF finding, or the smoke run's failure. */
export type CheckFinding = Omit<Finding, 'code'> & { code: FindingCode | 'smoke-failed' };

/** Everything known about one built binary after the checks. */
export interface CheckedBinary extends StagedBinary {
  boards: readonly string[];
  size: number;
  facts: BinaryFacts | null;
  findings: CheckFinding[];
  smoke: SmokeResult | null;
  /** 'passed' | 'failed' | 'warned' (verify: warn) | 'skipped' (verify: false). */
  verdict: 'passed' | 'failed' | 'warned' | 'skipped';
}

export interface CheckContext {
  inputs: Pick<ActionInputs, 'verify' | 'smokeTest' | 'smokeTestTimeoutMs' | 'glibcFloor' | 'piOs'>;
  targets: readonly ResolvedTarget[];
  /** The qemu (or native) runner per triple; absent when nothing here can run the target. */
  runners: ReadonlyMap<string, RunnerPaths>;
  /** What to do without qemu on this host (apt on Linux; a Linux runner elsewhere). */
  qemuAdvice?: string;
  log: Log;
}

/**
 * Static ELF checks against the target table, then the smoke run, for every binary. With
 * `verify: true` a failed check stops the run before anything is packaged or uploaded.
 */
export async function checkBinaries(
  bins: readonly StagedBinary[],
  ctx: CheckContext,
): Promise<CheckedBinary[]> {
  const out: CheckedBinary[] = [];
  for (const bin of bins) {
    const target = ctx.targets.find((t) => t.spec.triple === bin.target);
    if (!target) throw new Error(`internal: binary for unrequested target ${bin.target}`);
    out.push(await checkOne(bin, target, ctx));
  }
  return out;
}

async function checkOne(
  bin: StagedBinary,
  target: ResolvedTarget,
  ctx: CheckContext,
): Promise<CheckedBinary> {
  const bytes = fs.readFileSync(bin.path);
  const base = { ...bin, boards: target.boards, size: bytes.length };
  if (ctx.inputs.verify === 'false')
    return { ...base, facts: null, findings: [], smoke: null, verdict: 'skipped' };
  const gnu = target.spec.libc === 'gnu';
  const { findings: elfFindings, facts } = verifyBytes(bytes, {
    spec: target.spec,
    glibcFloor: gnu ? ctx.inputs.glibcFloor : null,
    piOs: gnu ? ctx.inputs.piOs : null,
    unstripped: unstrippedBytes(bin),
  });
  const findings: CheckFinding[] = [...elfFindings];
  const smoke = await smokeIfWanted(bin, target, findings, ctx);
  if (smoke && !smoke.ok) {
    findings.push({
      code: 'smoke-failed',
      severity: 'error',
      message: `smoke run ${howRunWords(smoke.ran)}: ${smoke.problem}`,
    });
  }
  const errors = findings.filter((f) => f.severity === 'error');
  for (const f of findings) ctx.log.info(`  ${f.severity}: [${f.code}] ${showValue(f.message)}`);
  const verdict =
    errors.length === 0 ? 'passed' : ctx.inputs.verify === 'warn' ? 'warned' : 'failed';
  ctx.log.info(
    `${bin.target}/${bin.name}: ${verdict}${facts ? ` (${facts.arch}, glibc ${facts.glibcNeeded ?? 'none'}, ${facts.linkage})` : ''}`,
  );
  return { ...base, facts, findings, smoke, verdict };
}

/** cargo's own file in target/: it keeps the symbols the ARMv6 scan and the _start check read. */
function unstrippedBytes(bin: StagedBinary): Uint8Array | null {
  if (!bin.stripped || bin.builtPath === bin.path) return null;
  try {
    return fs.readFileSync(bin.builtPath);
  } catch {
    return null;
  }
}

async function smokeIfWanted(
  bin: StagedBinary,
  target: ResolvedTarget,
  findings: readonly CheckFinding[],
  ctx: CheckContext,
): Promise<SmokeResult | null> {
  if (!ctx.inputs.smokeTest) return null;
  // Code for another machine would only produce a confusing qemu error on top of the real one.
  if (findings.some((f) => f.code === 'wrong-machine' || f.code === 'malformed-elf')) return null;
  const runner = ctx.runners.get(bin.target);
  if (!runner) {
    ctx.log.warning(
      `qemu is not installed: ${bin.name} for ${bin.target} was checked statically but not run. ${ctx.qemuAdvice ?? 'Install qemu-user-static (apt-get install qemu-user-static) to run them.'}`,
      'smoke test skipped',
    );
    return null;
  }
  const result = await smokeWith(
    target,
    runner,
    bin.path,
    ctx.inputs.smokeTest,
    ctx.inputs.smokeTestTimeoutMs,
  );
  const ran = result.ran;
  ctx.log.info(
    `smoke run ${bin.name} (${ran.how === 'qemu' ? ran.cpu : 'native'}): ${result.ok ? 'ok' : 'FAILED'} in ${result.ms} ms: ${showValue(result.firstLine)}`,
  );
  return result;
}

/** One message per failed binary, for the step's single error. */
export function verificationFailure(checked: readonly CheckedBinary[]): string | null {
  const failed = checked.filter((c) => c.verdict === 'failed');
  if (failed.length === 0) return null;
  const lines = failed.flatMap((c) => [
    `${c.target}/${c.name}:`,
    ...c.findings.filter((f) => f.severity === 'error').map((f) => `  - ${f.message}`),
  ]);
  return `binary verification failed, nothing was packaged or uploaded (set 'verify: warn' to ship anyway):\n${lines.join('\n')}`;
}
