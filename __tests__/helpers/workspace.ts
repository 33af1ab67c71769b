import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunnerDirs } from './run-action.js';
import { FIXTURES, RUST_TOOLCHAIN } from './test-env.js';

/** Copies the fixture crates and the offline registry config into a runner workspace. */
export function workspaceWithFixtures(d: RunnerDirs): void {
  for (const f of ['hello', 'hello-c']) {
    fs.cpSync(path.join(FIXTURES, f), path.join(d.workspace, f), { recursive: true });
  }
  fs.copyFileSync(
    path.join(FIXTURES, 'debian-registry.toml'),
    path.join(d.workspace, 'debian-registry.toml'),
  );
}

/** Inputs every offline e2e run needs: Debian's Rust, its registry, and no Actions cache. */
export function offlineInputs(d: RunnerDirs, over: Record<string, string>): Record<string, string> {
  return {
    'rust-toolchain': RUST_TOOLCHAIN,
    'pi-os': 'bookworm',
    cache: 'false',
    args: `--config '${path.join(d.workspace, 'debian-registry.toml')}'`,
    ...over,
  };
}

/** The glibc sysroot of a gnu triple inside an unpacked test toolchain (for qemu -L). */
export function sysrootIn(toolchainDir: string, triple: string): string {
  return path.join(
    toolchainDir,
    triple.startsWith('aarch64') ? 'aarch64-linux-gnu' : 'arm-linux-gnueabihf',
  );
}
