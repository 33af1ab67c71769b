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
    if (opts.strip && !stripped && plan?.kind === 'gcc' && plan.tools.strip) {
      const strip = `${plan.layout.binPrefix}strip`;
      const r = await run(strip, [dest]);
      if (r.code !== 0)
        throw new ActionError(`${strip} failed on ${bin.name}:\n${tail(r.stderr)}`, 'strip');
      stripped = true;
    }
    const sha256 = createHash('sha256').update(fs.readFileSync(dest)).digest('hex');
    out.push({ ...bin, builtPath: bin.path, path: dest, stripped, sha256 });
  }
  return out;
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
  const anyWithoutStrip = [...plans.values()].some((p) => p.kind !== 'gcc' || !p.tools.strip);
  if (!strip || !anyWithoutStrip) return {};
  return { [`CARGO_PROFILE_${profile.toUpperCase().replace(/-/g, '_')}_STRIP`]: 'symbols' };
}
