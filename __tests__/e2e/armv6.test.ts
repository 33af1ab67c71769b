import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs } from '../helpers/run-action.js';
import { TEST_HOME, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// The failure this project exists for: an ARMv6 (Pi Zero) build linked with an ARMv7 toolchain
// (Debian's armhf crt files, libgcc and libc) builds fine and dies with "Illegal instruction"
// on the Pi. Debian ships no ARMv6 std, so it is built from source (-Zbuild-std, ~1 min).

let server: FileServer;
beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
});
afterAll(() => server.close());

test('ARMv7 code in a pi-zero build is caught statically and by the arm1176 smoke run', async () => {
  const d = runnerDirs('armv6');
  workspaceWithFixtures(d);
  const v7 = testToolchain('arm-linux-gnueabihf');
  const r = await runAction(
    offlineInputs(d, {
      target: 'pi-zero',
      'working-directory': 'hello',
      'toolchain-url': `${server.url}/${v7.file}`,
      'toolchain-sha256': v7.sha256,
      args: '-Zbuild-std=std,panic_unwind',
      'smoke-test': '--version',
      // No Raspbian archive here: the Pi OS runtime cannot be had, the toolchain's libc runs it.
      'sysroot-mirror': `${server.url}/no-archive`,
    }),
    d,
    // Stable cargo accepts -Z with RUSTC_BOOTSTRAP; std's vendored crates come from CARGO_HOME.
    { RUSTC_BOOTSTRAP: '1', CARGO_HOME: path.join(TEST_HOME, 'cargo-home-build-std') },
  );
  expect(r.code).toBe(1);
  expect(r.errors).toHaveLength(1);
  const [error] = r.errors;
  expect(error).toMatch(/contains ARMv7 code \(Tag_CPU_arch v7\).*targets ARMv6/);
  expect(error).toMatch(/Raspberry Pi Zero/);
  expect(error).toMatch(/link with an ARMv6 hard-float toolchain/);
  expect(error).toMatch(/smoke run under qemu -cpu arm1176: died with 'Illegal instruction'/);
  // The instruction scan reads cargo's unstripped file and names the function: Debian's Thumb-2 _start.
  expect(error).toMatch(/_start at 0x[0-9a-f]+ \(Thumb: /);
  expect(r.stdout).toContain('-Zbuild-std: the standard library is built from source');
  expect(r.exported.CARGO_TARGET_ARM_UNKNOWN_LINUX_GNUEABIHF_RUNNER).toMatch(/-cpu arm1176 -L /);
  expect(r.stdout).toMatch(
    /::warning title=smoke run CPU::arm-unknown-linux-gnueabihf: the Pi OS runtime for smoke runs is not available \(the Raspbian archive .* bookworm has no InRelease at http:\/\/127\.0\.0\.1:\d+\/no-archive\/raspbian\/dists\/bookworm\/InRelease \(404\)/,
  );
  expect(r.outputs).toEqual({});
}, 600000);
