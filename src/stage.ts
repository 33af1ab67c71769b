import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LinkPlan } from './cargo/env.js';
import type { BuiltBinary } from './cargo/messages.js';
import { ActionError } from './errors.js';
import { run, tail } from './exec.js';
import type { Log } from './log.js';

/** A binary copied out of target/ into the directory everything shipped comes from. */
export interface StagedBinary extends BuiltBinary {
  /** Where cargo put it. */
  builtPath: string;
  stripped: boolean;
  sha256: string;
}

/**
 * Copies each binary to `<dir>/<target>/<name>` and strips the copy with the target toolchain's
 * own strip (the host's cannot read ARM ELF). What is checked, packaged and uploaded afterwards
 * is exactly this file.
 */
export async function stageBinaries(
  bins: readonly BuiltBinary[],
  plans: ReadonlyMap<string, LinkPlan>,
  opts: { dir: string; strip: boolean; cargoStripped: boolean; log: Log },
): Promise<StagedBinary[]> {
  const out: StagedBinary[] = [];
  for (const bin of bins) {
    const dest = path.join(opts.dir, bin.target, path.basename(bin.path));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(bin.path, dest);
    fs.chmodSync(dest, 0o755);
    const plan = plans.get(bin.target);
    let stripped = opts.cargoStripped;
    const strip = plan && opts.strip && !stripped ? stripCommand(plan, dest) : null;
    if (strip) {
      const r = await run(strip.program, strip.args);
      if (r.code !== 0)
        throw new ActionError(
          `${strip.program} failed on ${bin.name}:\n${tail(r.stderr)}`,
          'strip',
        );
      if (strip.output !== dest) {
        fs.renameSync(strip.output, dest);
        fs.chmodSync(dest, 0o755);
      }
      stripped = true;
    }
    const sha256 = createHash('sha256').update(fs.readFileSync(dest)).digest('hex');
    out.push({ ...bin, builtPath: bin.path, path: dest, stripped, sha256 });
  }
  return out;
}

/**
 * How the staged copy is stripped with the plan's own tools, or null when it has none. zig's
 * objcopy cannot write its input in place (it truncates it first), so it writes beside it.
 */
export function stripCommand(
  plan: LinkPlan,
  file: string,
): { program: string; args: string[]; output: string } | null {
  if (plan.kind === 'gcc' && plan.tools.strip)
    return { program: `${plan.layout.binPrefix}strip`, args: [file], output: file };
  if (plan.kind === 'zig') {
    const output = `${file}.stripped`;
    return { program: plan.zig, args: ['objcopy', '--strip-all', file, output], output };
  }
  return null;
}

/**
 * With no toolchain strip (musl + rust-lld), cargo strips at link time through the profile
 * setting, given as an environment variable so nothing in the repository changes.
 */
export function cargoStripEnv(
  profile: string,
  plans: ReadonlyMap<string, LinkPlan>,
  strip: boolean,
): Record<string, string> {
  // Only when some plan has no strip of its own: a profile strip also takes the symbol table
  // the ARMv6 instruction scan reads from cargo's file.
  const anyWithoutStrip = [...plans.values()].some((p) => stripCommand(p, '') === null);
  if (!strip || !anyWithoutStrip) return {};
  return { [`CARGO_PROFILE_${profile.toUpperCase().replace(/-/g, '_')}_STRIP`]: 'symbols' };
}
