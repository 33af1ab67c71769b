import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type RunnerDirs } from '../helpers/run-action.js';
import { RUST_TOOLCHAIN, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs as inputs, workspaceWithFixtures } from '../helpers/workspace.js';

// Real cross builds through the bundled dist/index.js: Debian-built gcc toolchain tarballs
// served over loopback as a user's `toolchain-url`, Debian's rustc with the ARM std, qemu-user.

interface Binary {
  target: string;
  name: string;
  path: string;
}

let server: FileServer;
let dirs: RunnerDirs;
const a64 = testToolchain('aarch64-linux-gnu');
const v7 = testToolchain('arm-linux-gnueabihf');

/** Runs an ARM binary under qemu with the board's CPU and the toolchain's own sysroot. */
function qemuRun(binary: string, qemu: string, cpu: string, sysroot: string): string {
  return execFileSync(qemu, ['-cpu', cpu, '-L', sysroot, binary, 'a b'], {
    encoding: 'utf8',
    timeout: 30000,
  }).trim();
}

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  dirs = runnerDirs('e2e');
  workspaceWithFixtures(dirs);
});

afterAll(async () => {
  await server.close();
});

describe('aarch64 (pi4) with a C file through the cc crate', () => {
  test('downloads, verifies and caches the toolchain, builds, and the binary runs under qemu', async () => {
    const r = await runAction(
      inputs(dirs, {
        target: 'pi4',
        'working-directory': 'hello-c',
        'toolchain-url': `${server.url}/${a64.file}`,
        'toolchain-sha256': a64.sha256,
      }),
      dirs,
    );
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(server.hits.get(`/${a64.file}`)).toBe(1);
    const bins = JSON.parse(r.outputs.binaries as string) as Binary[];
    expect(bins.map((b) => [b.target, b.name])).toEqual([
      ['aarch64-unknown-linux-gnu', 'pi-hello-c'],
    ]);
    const tc = JSON.parse(r.outputs.toolchains as string) as {
      dir: string;
      origin: string;
      sysroot: string;
    }[];
    expect(tc[0]?.origin).toBe('download');
    expect(tc[0]?.sysroot).toBe(path.join(tc[0]?.dir as string, a64.sysrootRel));
    const linker = r.exported.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER as string;
    expect(linker).toBe(path.join(tc[0]?.dir as string, 'bin', 'aarch64-linux-gnu-gcc'));
    expect(r.exported.CC_aarch64_unknown_linux_gnu).toBe(linker);
    expect(r.exported.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER).toMatch(
      /qemu-aarch64(-static)? -cpu cortex-a72 -L \S+$/,
    );
    const out = qemuRun(
      bins[0]?.path as string,
      'qemu-aarch64-static',
      'cortex-a72',
      path.join(tc[0]?.dir as string, a64.sysrootRel),
    );
    expect(out).toBe('pi-hello-c rust_arch=aarch64 c_arch=aarch64 mix=fbb53980');
  });

  test('a second run takes the toolchain from the tool cache without a download', async () => {
    const r = await runAction(
      inputs(dirs, {
        target: 'pi4',
        'working-directory': 'hello-c',
        'toolchain-url': `${server.url}/${a64.file}`,
        'toolchain-sha256': a64.sha256,
      }),
      dirs,
    );
    expect(r.code).toBe(0);
    expect(server.hits.get(`/${a64.file}`)).toBe(1);
    expect((JSON.parse(r.outputs.toolchains as string) as { origin: string }[])[0]?.origin).toBe(
      'tool-cache',
    );
  });

  test("the exported environment serves the user's own later cargo steps, spaces in paths included", async () => {
    const r = await runAction(
      inputs(dirs, {
        target: 'pi3',
        'working-directory': 'hello',
        'toolchain-url': `${server.url}/${a64.file}`,
        'toolchain-sha256': a64.sha256,
      }),
      dirs,
    );
    expect(r.code).toBe(0);
    expect(dirs.toolCache).toContain(' ');
    const out = execFileSync(
      'cargo',
      [
        `+${RUST_TOOLCHAIN}`,
        'run',
        '-q',
        '--release',
        '--target',
        'aarch64-unknown-linux-gnu',
        '--',
        'x',
        'y',
      ],
      {
        cwd: path.join(dirs.workspace, 'hello'),
        env: { ...process.env, ...r.exported },
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe('pi-hello arch=aarch64 fact10=3628800 unwind=true args=x,y');
    expect(r.exported.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER).toContain('-cpu cortex-a53');
  });
});

describe('armv7 (pi2)', () => {
  test('builds pure Rust and C, runs cargo test through the qemu runner, binaries run', async () => {
    const d = runnerDirs('armv7');
    workspaceWithFixtures(d);
    const r = await runAction(
      inputs(d, {
        target: 'pi2',
        'working-directory': 'hello-c',
        command: 'both',
        'toolchain-url': `${server.url}/${v7.file}`,
        'toolchain-sha256': v7.sha256,
      }),
      d,
    );
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test tests::c_code_runs_on_the_target \.\.\. ok/);
    const bins = JSON.parse(r.outputs.binaries as string) as Binary[];
    const tc = JSON.parse(r.outputs.toolchains as string) as { dir: string }[];
    const out = qemuRun(
      bins[0]?.path as string,
      'qemu-arm-static',
      'cortex-a7',
      path.join(tc[0]?.dir as string, v7.sysrootRel),
    );
    expect(out).toBe('pi-hello-c rust_arch=arm c_arch=armv7-a mix=fbb53980');
  });
});

describe('a wrong sha256', () => {
  test('fails with both hashes and leaves nothing in the tool cache', async () => {
    const d = runnerDirs('badsha');
    workspaceWithFixtures(d);
    const wrong = 'f'.repeat(64);
    const r = await runAction(
      inputs(d, {
        target: 'pi4',
        'working-directory': 'hello',
        'toolchain-url': `${server.url}/${a64.file}`,
        'toolchain-sha256': wrong,
      }),
      d,
    );
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain(`expected ${wrong}, got ${a64.sha256}`);
    expect(r.stdout).toMatch(/^::error title=rust-rpi-cross%3A toolchain::sha256 mismatch/m);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    const left = fs.readdirSync(d.toolCache, { recursive: true }) as string[];
    expect(left.filter((f) => !fs.statSync(path.join(d.toolCache, f)).isDirectory())).toEqual([]);
    // Recursive: the download goes into the run's private directory under RUNNER_TEMP.
    const temp = fs.readdirSync(d.temp, { recursive: true }) as string[];
    expect(temp.filter((f) => path.basename(f).startsWith('toolchain-'))).toEqual([]);
  });
});

describe('toolchain seams', () => {
  test('toolchain-prefix / toolchain-sysroot override the discovered layout; a wrong prefix lists the drivers', async () => {
    const tc = { 'toolchain-url': `${server.url}/${a64.file}`, 'toolchain-sha256': a64.sha256 };
    const good = await runAction(
      inputs(dirs, {
        target: 'pi4',
        'working-directory': 'hello',
        ...tc,
        'toolchain-prefix': 'aarch64-linux-gnu-',
        'toolchain-sysroot': 'aarch64-linux-gnu',
        upload: 'false',
      }),
      dirs,
    );
    expect(good.errors).toEqual([]);
    const [use] = JSON.parse(good.outputs.toolchains as string) as {
      dir: string;
      sysroot: string;
    }[];
    expect(use?.sysroot).toBe(path.join(use?.dir as string, 'aarch64-linux-gnu'));
    const bad = await runAction(
      inputs(dirs, {
        target: 'pi4',
        'working-directory': 'hello',
        ...tc,
        'toolchain-prefix': 'aarch64-none-linux-gnu',
      }),
      dirs,
    );
    expect(bad.code).toBe(1);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(
      /no bin\/aarch64-none-linux-gnu-gcc; 'toolchain-prefix' should be .* aarch64-linux-gnu-gcc/,
    );
  });

  test('toolchain-mirror rewrites the pinned URL to the mirror', async () => {
    const r = await runAction(
      {
        target: 'pi4',
        'rust-toolchain': RUST_TOOLCHAIN,
        'working-directory': 'hello',
        cache: 'false',
        'toolchain-mirror': `${server.url}/mirror`,
      },
      dirs,
    );
    const asked = [...server.hits.keys()].filter((p) => p.startsWith('/mirror/'));
    expect(asked).toEqual([
      '/mirror/downloads/releases/toolchains/aarch64/tarballs/aarch64--glibc--stable-2020.08-1.tar.bz2',
    ]);
    expect(r.code).toBe(1);
    expect(r.errors[0]).toContain(`${server.url}${asked[0]}: HTTP 404`);
  });
});
