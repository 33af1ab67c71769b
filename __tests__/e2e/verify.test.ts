import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type RunnerDirs } from '../helpers/run-action.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// The verification stage through dist/index.js, on real binaries: Debian 12's sysroot is glibc
// 2.36, so its binaries need GLIBC_2.34 — right for bookworm, too new for bullseye.

interface Bin {
  target: string;
  glibc: string | null;
  piOs: string[] | null;
  verified: string;
}

let server: FileServer;
let dirs: RunnerDirs;
const a64 = testToolchain('aarch64-linux-gnu');

function pi4(over: Record<string, string>): Record<string, string> {
  return offlineInputs(dirs, {
    target: 'pi4',
    'working-directory': 'hello',
    'toolchain-url': `${server.url}/${a64.file}`,
    'toolchain-sha256': a64.sha256,
    upload: 'false',
    ...over,
  });
}

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  dirs = runnerDirs('verify');
  workspaceWithFixtures(dirs);
});
afterAll(() => server.close());

describe('glibc floor', () => {
  test('bookworm: every check and the smoke run pass; the summary says so', async () => {
    const r = await runAction(pi4({ 'smoke-test': 'one two' }), dirs);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const [bin] = JSON.parse(r.outputs.binaries as string) as Bin[];
    expect(bin).toMatchObject({ glibc: '2.34', piOs: ['bookworm', 'trixie'], verified: 'passed' });
    expect(r.summary).toContain('pi-hello arch=aarch64 fact10=3628800 unwind=true args=one,two');
    expect(r.summary).toMatch(
      /\| `aarch64-unknown-linux-gnu` \| pi4 \| <code>pi-hello<\/code> \(stripped\) \| .* \| 2\.34 \(2\.36\) \| bookworm, trixie \|/,
    );
    expect(r.summary).toContain('✅ passed');
  });

  test('bullseye (the default): GLIBC_2.34 is too new, the run fails and nothing ships', async () => {
    const r = await runAction(pi4({ 'pi-os': '', 'smoke-test': '--version' }), dirs);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/binary verification failed, nothing was packaged or uploaded/);
    // The annotation's title names the stage to look at.
    expect(r.stdout).toMatch(
      /^::error title=rust-rpi-cross%3A verify::binary verification failed/m,
    );
    expect(r.errors[0]).toMatch(/GLIBC_2\.34/);
    expect(r.errors[0]).toMatch(/bullseye/);
    expect(r.outputs.binaries).toBeUndefined();
    expect(r.outputs.archives).toBeUndefined();
    expect(r.summary).toContain('❌ failed');
  });

  test('verify: warn ships anyway, with a warning', async () => {
    const r = await runAction(pi4({ 'pi-os': 'bullseye', verify: 'warn' }), dirs);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::warning title=verification \(verify%3A warn\)::.*GLIBC_2\.34/);
    const [bin] = JSON.parse(r.outputs.binaries as string) as Bin[];
    expect(bin?.verified).toBe('warned');
    expect(r.outputs.archives).toMatch(/\.tar\.gz$/);
  });

  test('verify: false skips the checks', async () => {
    const r = await runAction(pi4({ 'pi-os': 'bullseye', verify: 'false' }), dirs);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.outputs.binaries as string) as Bin[])[0]?.verified).toBe('skipped');
  });
});

describe('smoke run', () => {
  test('a binary that hangs is killed at the timeout, and the message says so', async () => {
    const t0 = Date.now();
    const r = await runAction(pi4({ 'smoke-test': '--sleep', 'smoke-test-timeout': '2' }), dirs);
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/did not finish within 2 s and was killed/);
    expect(Date.now() - t0).toBeLessThan(25000);
  });

  test('without qemu: a warning, and the static checks still run', async () => {
    // A PATH with everything in /usr/bin except qemu.
    const bin = path.join(dirs.root, 'no-qemu-bin');
    fs.mkdirSync(bin, { recursive: true });
    for (const f of fs.readdirSync('/usr/bin')) {
      if (!f.startsWith('qemu-') && !f.startsWith('apt'))
        fs.symlinkSync(path.join('/usr/bin', f), path.join(bin, f));
    }
    const cargoBin = path.join(process.env.HOME ?? '/root', '.cargo', 'bin');
    const r = await runAction(pi4({ 'smoke-test': 'x', 'pi-os': 'bullseye' }), dirs, {
      PATH: `${cargoBin}:${bin}`,
    });
    expect(r.stdout).toMatch(/::warning title=qemu missing::qemu-aarch64 not found/);
    expect(r.stdout).toMatch(/::warning title=smoke test skipped::qemu is not installed/);
    // The glibc check still stops the bullseye build without any qemu.
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/GLIBC_2\.34/);
  });
});
