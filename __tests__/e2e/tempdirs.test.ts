import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { runnerLinkDirs } from '../helpers/runner-links.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// Where the bundled action writes its temporary files, and the runner files it writes to:
// another local user must not be able to own any of it, a local run must leave the repository
// as it was, and a broken runner file is named (and costs no build) or only warned about.

const a64 = testToolchain('aarch64-linux-gnu');
const RUNNER = 'CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER';
/** "nobody": the other local user of a self-hosted runner. */
const OTHER = 65534;
const isRoot = process.getuid?.() === 0;
/** Making another user's directory takes chown, which takes root. */
const asRoot = isRoot ? test : test.skip;

let server: FileServer;
let toolCache: string;
const cleanup: string[] = [];

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  // One tool cache for every case: the toolchain is unpacked once.
  toolCache = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-tempdirs-tc-'));
  cleanup.push(toolCache);
});

afterAll(async () => {
  await server?.close();
  for (const c of cleanup) fs.rmSync(c, { recursive: true, force: true });
});

function dirs(label: string, spaces = true): RunnerDirs {
  const d = runnerDirs(label, spaces);
  cleanup.push(d.root);
  workspaceWithFixtures(d);
  return { ...d, toolCache };
}

function inputs(d: RunnerDirs, over: Record<string, string> = {}): Record<string, string> {
  return offlineInputs(d, {
    target: 'pi4',
    'working-directory': 'hello',
    'toolchain-url': `${server.url}/${a64.file}`,
    'toolchain-sha256': a64.sha256,
    upload: 'false',
    'smoke-test': 'a b',
    ...over,
  });
}

async function run(d: RunnerDirs, env: Record<string, string> = {}): Promise<ActionRun> {
  const r = await runAction(inputs(d), d, env);
  cleanup.push(...runnerLinkDirs(r.exported).filter((p) => p.startsWith(os.tmpdir())));
  return r;
}

function expectPrivate(dir: string): void {
  const st = fs.lstatSync(dir);
  expect({ dir, directory: st.isDirectory(), uid: st.uid, mode: st.mode & 0o777 }).toEqual({
    dir,
    directory: true,
    uid: process.geteuid?.(),
    mode: 0o700,
  });
}

/** A directory of another user's making, with what they put in it. */
function plant(dir: string, files: Record<string, string> = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, target] of Object.entries(files)) fs.symlinkSync(target, path.join(dir, name));
  execFileSync('chown', ['-hR', `${OTHER}:${OTHER}`, dir]);
  fs.chmodSync(dir, 0o777);
}

/** What a later step of the job does with the exported runner: run a binary under it. */
function laterStep(runner: string, binary: string): string {
  const [cmd, ...args] = runner.split(/\s+/) as [string, ...string[]];
  return execFileSync(cmd, [...args, binary, 'a b'], { encoding: 'utf8', timeout: 30000 }).trim();
}

function warnings(r: ActionRun): string[] {
  return r.stdout.split('\n').filter((l) => l.startsWith('::warning'));
}

function binaryPath(r: ActionRun): string {
  return (JSON.parse(r.outputs.binaries as string) as { path: string }[])[0]?.path as string;
}

describe('the qemu runner links', () => {
  asRoot(
    'with a space in RUNNER_TEMP, the old guessable /tmp dir another user made is not used, and the runner stays ours for later steps',
    async () => {
      const d = dirs('tempdirs space');
      // The name the action used to take: /tmp/rpi-cross-runner-<sha256(RUNNER_TEMP)[:12]>.
      const tag = createHash('sha256').update(d.temp).digest('hex').slice(0, 12);
      const guessed = path.join('/tmp', `rpi-cross-runner-${tag}`);
      cleanup.push(guessed);
      const marker = path.join(d.root, 'pwned');
      const evil = path.join(d.root, 'evil.sh');
      fs.writeFileSync(evil, `#!/bin/sh\necho pwned > '${marker}'\n`, { mode: 0o755 });
      plant(guessed, { 'qemu-aarch64-static': evil });

      const r = await run(d);
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      const runner = r.exported[RUNNER] as string;
      const [dir] = runnerLinkDirs(r.exported) as [string];
      expect(dir).not.toBe(guessed);
      expect(runner).toMatch(/^\S+ -cpu cortex-a72 -L \S+$/);
      expectPrivate(dir);
      // The other user cannot swap the qemu the exported runner names for their program.
      const link = runner.split(/\s+/)[0] as string;
      const swap = spawnSync('ln', ['-sfn', evil, link], { uid: OTHER, gid: OTHER });
      expect(swap.status).not.toBe(0);
      // A later step of the job still finds the runner (it is not removed at the end).
      expect(laterStep(runner, binaryPath(r))).toMatch(/^pi-hello arch=aarch64 .* args=a b$/);
      expect(fs.existsSync(marker)).toBe(false);
      expect(fs.readdirSync(guessed)).toEqual(['qemu-aarch64-static']);
      expect(fs.readlinkSync(path.join(guessed, 'qemu-aarch64-static'))).toBe(evil);
    },
  );
});

describe('a world-writable RUNNER_TEMP without spaces (RUNNER_TEMP=/tmp)', () => {
  asRoot(
    'the old fixed names another user made there are not used: every directory the action makes is owner-only',
    async () => {
      const d = dirs('tempdirs-shared', false);
      fs.chmodSync(d.temp, 0o1777);
      // The names the action used to take there: the runner links and the staging directory.
      const planted = ['rpi-cross-runner', 'rust-rpi-cross'].map((n) => path.join(d.temp, n));
      for (const p of planted) plant(p);

      const r = await run(d, { RUNNER_TEMP: d.temp });
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      for (const p of planted) expect(fs.readdirSync(p)).toEqual([]);
      const [runnerDir] = runnerLinkDirs(r.exported) as [string];
      expectPrivate(runnerDir);
      // The staged binary, the archive and its checksums are in one private directory.
      const made = fs
        .readdirSync(d.temp)
        .map((n) => path.join(d.temp, n))
        .filter((p) => !planted.includes(p));
      expect(made).toHaveLength(1);
      expectPrivate(made[0] as string);
      for (const p of [binaryPath(r), r.outputs.archives, r.outputs.checksums, runnerDir])
        expect(p?.startsWith(`${made[0]}${path.sep}`)).toBe(true);
    },
  );
});

describe('a failed run', () => {
  test('that wrote nothing leaves no empty private directory in RUNNER_TEMP', async () => {
    // Its own tool cache: the shared one already has this sha256's toolchain.
    const base = dirs('tempdirs failed');
    const d = { ...base, toolCache: path.join(base.root, 'tool cache') };
    const r = await runAction(
      inputs(d, { 'toolchain-url': `${server.url}/nowhere/${a64.file}` }),
      d,
    );
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/404/);
    expect(fs.readdirSync(d.temp)).toEqual([]);
  });
});

describe('a tool cache every local user can write to', () => {
  test('is refused before any download, naming RUNNER_TOOL_CACHE', async () => {
    const d = dirs('tempdirs open cache');
    const open = path.join(d.root, 'shared tool cache');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o1777);
    const hits = server.hits.get(`/${a64.file}`) ?? 0;
    const r = await runAction(inputs(d), { ...d, toolCache: open });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(
      /tool cache .* \(RUNNER_TOOL_CACHE\) is writable by every local user \(mode 1777\).*chmod o-w/,
    );
    expect(server.hits.get(`/${a64.file}`) ?? 0).toBe(hits);
    expect(fs.readdirSync(open)).toEqual([]);
  });
});

/** Every file and directory under `dir` with its size and mtime. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort().map((f) => {
    const st = fs.lstatSync(path.join(dir, f));
    return `${f} ${st.size} ${st.mtimeMs}`;
  });
}

describe('a local run (no RUNNER_TEMP, no RUNNER_TOOL_CACHE)', () => {
  test('writes nothing into the repository: temp files go to TMPDIR, toolchains to $XDG_CACHE_HOME', async () => {
    const d = dirs('tempdirs local');
    const home = path.join(d.root, 'home');
    const xdg = path.join(d.root, 'xdg cache');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-tempdirs-tmpdir-'));
    cleanup.push(tmp);
    fs.mkdirSync(home);
    const before = tree(d.workspace);
    const realHome = os.homedir();
    const r = await runAction(inputs({ ...d, toolCache: '' }), d, {
      GITHUB_WORKSPACE: '',
      RUNNER_TEMP: '',
      RUNNER_TOOL_CACHE: '',
      HOME: home,
      XDG_CACHE_HOME: xdg,
      TMPDIR: tmp,
      RUSTUP_HOME: process.env.RUSTUP_HOME ?? path.join(realHome, '.rustup'),
      CARGO_HOME: process.env.CARGO_HOME ?? path.join(realHome, '.cargo'),
      // cargo's own target/ is the user's to place; the action's files are what is checked.
      CARGO_TARGET_DIR: path.join(d.root, 'target'),
    });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(tree(d.workspace)).toEqual(before);
    const tc = JSON.parse(r.outputs.toolchains as string) as { dir: string }[];
    expect(tc[0]?.dir.startsWith(path.join(xdg, 'rust-rpi-cross', 'tool-cache'))).toBe(true);
    expect(fs.statSync(path.join(xdg, 'rust-rpi-cross')).mode & 0o777).toBe(0o700);
    expect(r.outputs.archives?.startsWith(tmp)).toBe(true);
    expect(fs.readdirSync(home)).toEqual([]);
  });
});

describe('the runner files the action writes to', () => {
  test('GITHUB_STEP_SUMMARY a directory: a warning naming it, the run succeeds with its outputs', async () => {
    const d = dirs('tempdirs summary');
    const summaryDir = path.join(d.root, 'summary dir');
    fs.mkdirSync(summaryDir);
    const r = await run(d, { GITHUB_STEP_SUMMARY: summaryDir });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(warnings(r).filter((w) => w.includes('GITHUB_STEP_SUMMARY'))).toHaveLength(1);
    expect(r.outputs.archives).toBeTruthy();
  });

  test.each(['GITHUB_OUTPUT', 'GITHUB_ENV'])(
    '%s a directory: one error naming it, before anything is built',
    async (name) => {
      const d = dirs(`tempdirs ${name}`);
      const dir = path.join(d.root, 'a dir');
      fs.mkdirSync(dir);
      const r = await run(d, { [name]: dir });
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toContain(`${name} (${dir}) is a directory`);
      expect(fs.existsSync(path.join(d.workspace, 'hello', 'target'))).toBe(false);
      expect(fs.readdirSync(d.temp)).toEqual([]);
    },
  );
});
