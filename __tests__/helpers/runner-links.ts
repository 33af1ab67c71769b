import * as path from 'node:path';

/**
 * The directories holding the qemu runner links a run exported (outside RUNNER_TEMP when its
 * path has spaces, so a test's own cleanup of its runner dirs does not reach them).
 */
export function runnerLinkDirs(exported: Record<string, string>): string[] {
  const dirs = Object.entries(exported)
    .filter(([k]) => /^CARGO_TARGET_\w+_RUNNER$/.test(k))
    .map(([, v]) => path.dirname(v.split(/\s+/)[0] as string));
  return [...new Set(dirs)];
}
