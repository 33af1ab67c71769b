import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { runnerLinkDirs } from '../helpers/runner-links.js';
import { RUST_TOOLCHAIN, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { workspaceWithFixtures } from '../helpers/workspace.js';

// Two matrix jobs on one self-hosted runner: separate RUNNER_TEMP and workspaces, one shared
// RUNNER_TOOL_CACHE, both installing the same toolchain at the same moment.

const a64 = testToolchain('aarch64-linux-gnu');
let server: FileServer;
const cleanup: string[] = [];

interface Toolchain {
  origin: string;
  dir: string;
}

beforeAll(async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-concurrency-served-'));
  cleanup.push(root);
  fs.symlinkSync(path.join(TOOLCHAIN_DIR, a64.file), path.join(root, a64.file));
  server = await startFileServer(root);
});

afterAll(async () => {
  await server?.close();
  for (const c of cleanup) fs.rmSync(c, { recursive: true, force: true });
});

function job(label: string, toolCache: string): RunnerDirs {
  const d = runnerDirs(label);
  cleanup.push(d.root);
  workspaceWithFixtures(d);
  return { ...d, toolCache };
}

async function run(d: RunnerDirs, target: string): Promise<ActionRun> {
  const r = await runAction(
    {
      target,
      'rust-toolchain': RUST_TOOLCHAIN,
      'pi-os': 'bookworm',
      'working-directory': 'hello',
      'toolchain-url': `${server.url}/${a64.file}`,
      'toolchain-sha256': a64.sha256,
      cache: 'false',
      upload: 'false',
      args: `--config '${path.join(d.workspace, 'debian-registry.toml')}'`,
    },
    d,
  );
  // The runner links live outside RUNNER_TEMP when its path has spaces.
  cleanup.push(...runnerLinkDirs(r.exported));
  return r;
}

/** Everything under `dir` with the size of each file (symlinks not followed). */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((p) => {
      const st = fs.lstatSync(path.join(dir, p));
      return st.isDirectory() ? `${p}/` : `${p} ${st.size}`;
    })
    .sort();
}

describe('two jobs sharing one tool cache', () => {
  test('both succeed; one intact toolchain, one download, no staging dirs or locks left', async () => {
    const shared = runnerDirs('shared tool cache');
    cleanup.push(shared.root);
    const [a, b] = await Promise.all([
      run(job('job-a', shared.toolCache), 'pi4'),
      run(job('job-b', shared.toolCache), 'pi3'),
    ]);
    for (const r of [a, b]) {
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
    }
    const [ta, tb] = [a, b].map(
      (r) => (JSON.parse(r.outputs.toolchains as string) as Toolchain[])[0],
    );
    expect(ta?.dir).toBe(tb?.dir);
    const dir = ta?.dir as string;
    // One job installs while the other waits for it and takes its copy.
    expect([ta?.origin, tb?.origin].sort()).toEqual(['download', 'tool-cache']);
    expect(server.hits.get(`/${a64.file}`)).toBe(1);

    // Nothing else at any level: no second copy, no '.…tmp-' staging dir, no lock.
    const version = path.dirname(dir);
    const tool = path.dirname(version);
    expect(fs.readdirSync(shared.toolCache)).toEqual([path.basename(tool)]);
    expect(fs.readdirSync(tool)).toEqual([path.basename(version)]);
    expect(fs.readdirSync(version).sort()).toEqual([
      path.basename(dir),
      `${path.basename(dir)}.complete`,
    ]);
    // Intact: exactly the archive's files (its single top directory stripped).
    const listed = fs.mkdtempSync(path.join(shared.root, 'listing-'));
    execFileSync('tar', ['-xzf', path.join(TOOLCHAIN_DIR, a64.file), '-C', listed]);
    const [top] = fs.readdirSync(listed);
    expect(tree(dir)).toEqual(tree(path.join(listed, top as string)));
  }, 120000);
});
