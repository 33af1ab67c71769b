import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { ZigPlan } from '../cargo/env.js';

/**
 * zig's global cache holds what it built per (target, floor, CPU): glibc stubs, crt objects,
 * compiler_rt, libunwind, musl's libc.a, libc++. The key names all of them, so a cache saved
 * for one matrix never stands in for another. It also names where zig is installed: zig keys
 * those builds by the absolute paths of its own lib/ sources, so a cache filled by a zig at
 * another path (another tool cache directory) would be restored only to be rebuilt.
 */
export function zigCacheKey(
  plans: readonly Pick<ZigPlan, 'version' | 'target' | 'cpu' | 'zig'>[],
  host: { os: string; arch: string },
): string {
  const version = plans[0]?.version ?? 'none';
  const what = [...new Set(plans.map((p) => `${p.target}/${p.cpu ?? 'generic'}`))].sort();
  const where = [...new Set(plans.map((p) => path.dirname(p.zig)))].sort();
  const tag = createHash('sha256')
    .update([...what, ...where].join('\n'))
    .digest('hex')
    .slice(0, 16);
  return `rust-rpi-cross-zigcache-${version}-${tag}-${host.os}-${host.arch}`;
}
