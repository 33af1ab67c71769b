import { createHash } from 'node:crypto';
import type { ZigPlan } from '../cargo/env.js';

/**
 * zig's global cache holds what it built per (target, floor, CPU): glibc stubs, crt objects,
 * compiler_rt, libunwind, musl's libc.a, libc++. The key names all of them, so a cache saved
 * for one matrix never stands in for another.
 */
export function zigCacheKey(
  plans: readonly Pick<ZigPlan, 'version' | 'target' | 'cpu'>[],
  host: { os: string; arch: string },
): string {
  const version = plans[0]?.version ?? 'none';
  const what = [...new Set(plans.map((p) => `${p.target}/${p.cpu ?? 'generic'}`))].sort();
  const tag = createHash('sha256').update(what.join('\n')).digest('hex').slice(0, 16);
  return `rust-rpi-cross-zigcache-${version}-${tag}-${host.os}-${host.arch}`;
}
