/** The host side of running zig-linked binaries: the target libc qemu needs. */
import type { LinkPlan } from '../cargo/env.js';
import type { Log } from '../log.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import type { TargetSpec } from '../targets/table.js';
import { isSysroot } from '../toolchain/layout.js';
import { missingLibcNote, zigRunFacts } from './select.js';

/** zig-linked dynamic targets whose cross libc is not on the host (yet). */
export function zigTargetsWithoutLibc(
  targets: readonly ResolvedTarget[],
  plans: ReadonlyMap<string, LinkPlan>,
): TargetSpec[] {
  return targets
    .filter((t) => {
      const p = plans.get(t.spec.triple);
      return p?.kind === 'zig' && t.spec.interpreter !== null && p.runSysroot === null;
    })
    .map((t) => t.spec);
}

/** After the install attempt: use the cross libc where it now exists, warn where it does not. */
export function adoptCrossLibc(
  specs: readonly TargetSpec[],
  plans: Map<string, LinkPlan>,
  log: Log,
): void {
  for (const spec of specs) {
    const plan = plans.get(spec.triple);
    if (plan?.kind !== 'zig') continue;
    const run = zigRunFacts(spec, '', (d) => isSysroot(d, spec));
    if (run.sysroot) plans.set(spec.triple, { ...plan, runSysroot: run.sysroot });
    else log.warning(`${spec.triple}: ${missingLibcNote(spec)}`, 'smoke run');
  }
}
