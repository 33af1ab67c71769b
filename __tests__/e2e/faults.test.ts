import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startActionsService, type ActionsService } from '../helpers/actions-service.js';
import { startFileServer, type Fault, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { runnerLinkDirs } from '../helpers/runner-links.js';
import { RUST_TOOLCHAIN, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { toolCachePath } from '../../src/toolchain/install.js';
import { customSource } from '../../src/toolchain/prepare.js';
import { workspaceWithFixtures } from '../helpers/workspace.js';

// Every way the toolchain download, the tool cache, the Actions cache and the build can fail,
// through the bundled dist/index.js. Most of a case's time is retry backoff (2 s doubling, and
// @actions/cache's own 3 s × 1.5), so all cases start together in beforeAll and each test awaits
// its own; only the Actions cache round trip is a sequence. FAULTS_LOG=<file> keeps every log.

const a64 = testToolchain('aarch64-linux-gnu');
const STACK = /(?:^|\n|%0A)\s*at \S.*:\d+:\d+\)?/;

/** The log a user sees: main.ts keeps stacks for bug reports in `::debug::` lines only. */
function visibleLog(r: ActionRun): string {
  return (r.stdout + r.stderr)
    .split('\n')
    .filter((l) => !l.startsWith('::debug::'))
    .join('\n');
}

let server: FileServer;
let service: ActionsService;
let service500: ActionsService;
/** Only the bot-check case talks to this one: nothing may be saved to it. */
let serviceHtml: ActionsService;
let serveRoot: string;
const cleanup: string[] = [];
const mounts: string[] = [];

interface Outcome {
  r: ActionRun;
  d: RunnerDirs;
  /** Requests the file server had received for this case's toolchain URL when the run ended. */
  hits: number;
  ms: number;
  /** The runner's directories right after the run (later runs of a sequence change them). */
  after: Snapshot;
}

interface Snapshot {
  /** Top-level entries of the tool cache. */
  toolCache: string[];
  unfinished: string[];
  files: string[];
  stray: string[];
  /** Whether the toolchain the outputs name has its gcc driver; null without outputs. */
  gcc: boolean | null;
}

function snapshot(r: ActionRun, d: RunnerDirs): Snapshot {
  const isDir = fs.existsSync(d.toolCache) && fs.statSync(d.toolCache).isDirectory();
  const tc = r.outputs.toolchains ? (JSON.parse(r.outputs.toolchains) as { dir: string }[]) : null;
  return {
    toolCache: isDir ? fs.readdirSync(d.toolCache) : [],
    unfinished: unfinished(d.toolCache),
    files: toolCacheFiles(d.toolCache),
    stray: strayDownloads(d.temp),
    gcc: tc ? fs.existsSync(path.join(tc[0]?.dir ?? '', 'bin', 'aarch64-linux-gnu-gcc')) : null,
  };
}

/** Serves the test toolchain under a path of its own, so hit counts and faults are per case. */
function toolchainUrl(name: string, fault?: Fault): { url: string; hits: () => number } {
  const dir = path.join(serveRoot, name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, a64.file);
  if (!fs.existsSync(file)) fs.symlinkSync(path.join(TOOLCHAIN_DIR, a64.file), file);
  const urlPath = `/${name}/${a64.file}`;
  if (fault) server.fault(urlPath, fault);
  return { url: `${server.url}${urlPath}`, hits: () => server.hits.get(urlPath) ?? 0 };
}

function dirsFor(label: string): RunnerDirs {
  const d = runnerDirs(label);
  cleanup.push(d.root);
  workspaceWithFixtures(d);
  return d;
}

function inputs(d: RunnerDirs, url: string, over: Record<string, string> = {}) {
  return {
    target: 'pi4',
    'rust-toolchain': RUST_TOOLCHAIN,
    'pi-os': 'bookworm',
    'working-directory': 'hello',
    'toolchain-url': url,
    'toolchain-sha256': a64.sha256,
    cache: 'false',
    upload: 'false',
    args: `--config '${path.join(d.workspace, 'debian-registry.toml')}'`,
    ...over,
  };
}

async function runCase(
  label: string,
  fault: Fault | undefined,
  opts: {
    over?: Record<string, string>;
    env?: Record<string, string>;
    dirs?: RunnerDirs;
    url?: string;
  } = {},
): Promise<Outcome> {
  const d = opts.dirs ?? dirsFor(label);
  const served = toolchainUrl(label, fault);
  const url = opts.url ?? served.url;
  const t0 = Date.now();
  const r = await runAction(inputs(d, url, opts.over), d, opts.env);
  // The action's qemu runner links live outside RUNNER_TEMP when its path has spaces.
  cleanup.push(...runnerLinkDirs(r.exported));
  if (process.env.FAULTS_LOG) {
    fs.appendFileSync(
      process.env.FAULTS_LOG,
      `\n===== ${label} (${r.code}, ${Date.now() - t0} ms)\n${r.stdout}\n--- stderr\n${r.stderr}\n`,
    );
  }
  return { r, d, hits: served.hits(), ms: Date.now() - t0, after: snapshot(r, d) };
}

/** Files and dirs in the tool cache that are not a finished toolchain (or its marker). */
function unfinished(toolCache: string): string[] {
  if (!fs.existsSync(toolCache) || !fs.statSync(toolCache).isDirectory()) return [];
  const bad: string[] = [];
  for (const tool of fs.readdirSync(toolCache)) {
    const toolDir = path.join(toolCache, tool);
    if (tool.startsWith('.') || !fs.statSync(toolDir).isDirectory()) {
      bad.push(tool);
      continue;
    }
    for (const version of fs.readdirSync(toolDir)) {
      const vDir = path.join(toolDir, version);
      if (version.startsWith('.') || !fs.statSync(vDir).isDirectory()) {
        bad.push(path.join(tool, version));
        continue;
      }
      for (const arch of fs.readdirSync(vDir)) {
        if (arch.endsWith('.complete')) continue;
        const done = fs.existsSync(path.join(vDir, `${arch}.complete`));
        if (arch.startsWith('.') || !done) bad.push(path.join(tool, version, arch));
      }
    }
  }
  return bad;
}

/** Everything in the tool cache that is not a directory: after a failure there must be none. */
function toolCacheFiles(toolCache: string): string[] {
  if (!fs.existsSync(toolCache) || !fs.statSync(toolCache).isDirectory()) return [];
  const all = fs.readdirSync(toolCache, { recursive: true }) as string[];
  return all.filter((f) => !fs.lstatSync(path.join(toolCache, f)).isDirectory());
}

/** Download and cache archives left in RUNNER_TEMP. */
function strayDownloads(temp: string): string[] {
  const all = fs.readdirSync(temp, { recursive: true }) as string[];
  return all.filter((f) => /^toolchain-|\.tzst$|cache\.tgz$/.test(path.basename(f)));
}

/** Exit 1, one error, no stack, and (unless the toolchain itself was fine) an empty tool cache. */
function expectCleanFailure({ r, after }: Outcome, toolchainKept = false): void {
  expect(r.errors).toHaveLength(1);
  expect(r.code).toBe(1);
  expect(visibleLog(r)).not.toMatch(STACK);
  expect(after.unfinished).toEqual([]);
  if (!toolchainKept) expect(after.toolCache).toEqual([]);
  expect(after.stray).toEqual([]);
}

function expectSuccess({ r, after }: Outcome, origin: string): void {
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  const tc = JSON.parse(r.outputs.toolchains as string) as { origin: string }[];
  expect(tc.map((t) => t.origin)).toEqual([origin]);
  expect(after.gcc).toBe(true);
  expect(after.unfinished).toEqual([]);
  expect(after.stray).toEqual([]);
}

function warnings(r: ActionRun): string[] {
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::warning'))
    .map((l) => l.replace(/^::warning[^:]*::/, '').replace(/%0A/g, '\n'));
}

/** A loopback port nobody listens on: the Actions cache service is down. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A small tmpfs, to fill a disk for real (root only: chmod does not stop root). */
function mountTmpfs(dir: string, size: string): void {
  // mode: a tmpfs root is 1777 by default, and the action refuses a world-writable tool cache.
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], {
    stdio: 'pipe',
  });
  mounts.push(dir);
}

/**
 * Whether this machine lets the suite mount a tmpfs (root, mount(8), no seccomp block), probed
 * while the tests are collected: where it cannot, the full-disk tests are reported as skipped
 * rather than passing without having run. Where it can, a later mount failure fails them.
 */
function canMountTmpfs(): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const TMPFS = process.env.RPI_TEST_NO_TMPFS ? false : canMountTmpfs();
/** `test` where a tmpfs can be mounted, `test.skip` (reported as skipped) where it cannot. */
const fullDiskTest = TMPFS ? test : test.skip;
const NEEDS_TMPFS = TMPFS ? '' : ' [skipped: no tmpfs can be mounted here (root only)]';

const cases: Record<string, Promise<Outcome>> = {};

async function outcome(name: string): Promise<Outcome> {
  const o = await cases[name];
  if (!o) throw new Error(`case ${name} did not run`);
  return o;
}

function start(name: string, p: Promise<Outcome>): void {
  cases[name] = p;
  // Awaited by its test; this only keeps an early failure from being an unhandled rejection.
  p.catch(() => undefined);
}

beforeAll(async () => {
  serveRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-faults-served-'));
  cleanup.push(serveRoot);
  server = await startFileServer(serveRoot);
  service = await startActionsService();
  service500 = await startActionsService();
  service500.failAlways('GetCacheEntryDownloadURL', 500);
  serviceHtml = await startActionsService();
  const down = await deadPort();

  start('404', runCase('not-found', undefined, { url: `${server.url}/nowhere/${a64.file}` }));
  start('500-once', runCase('500-once', { kind: 'status', status: 500, times: 1 }));
  start('reset', runCase('reset', { kind: 'reset-mid-body', times: 1 }));
  start('truncate', runCase('truncate', { kind: 'truncate', times: 99 }));
  start(
    'html',
    runCase('html', { kind: 'html-200' }, { over: { cache: 'true' }, env: serviceHtml.env('1') }),
  );
  start('stall', runCase('stall', { kind: 'stall' }, { over: { 'download-timeout': '2' } }));
  start(
    'cache-down',
    runCase('cache-down', undefined, {
      over: { cache: 'true' },
      env: { ...service.env('2'), ACTIONS_RESULTS_URL: `http://127.0.0.1:${down}/` },
    }),
  );
  start(
    'compile-error',
    (async () => {
      const d = dirsFor('compile-error');
      const main = path.join(d.workspace, 'hello', 'src', 'main.rs');
      fs.writeFileSync(
        main,
        fs.readFileSync(main, 'utf8').replace('fn main() {', 'fn main() {\n    let x: u32 = "s";'),
      );
      return runCase('compile-error', undefined, { dirs: d });
    })(),
  );
  start(
    'tool-cache-under-file',
    (async () => {
      const d = dirsFor('notdir');
      const blocker = path.join(d.root, 'not a dir');
      fs.writeFileSync(blocker, '');
      return runCase('notdir', undefined, {
        dirs: { ...d, toolCache: path.join(blocker, 'tool cache') },
      });
    })(),
  );
  start(
    'cache-500',
    runCase('cache-500', undefined, { over: { cache: 'true' }, env: service500.env('5') }),
  );
  start(
    'stale-dir',
    (async () => {
      // What a runner killed mid-extraction (or mid-restore) leaves: the final dir, no marker.
      const d = dirsFor('stale');
      const src = customSource({
        url: 'http://x/t.tar.gz',
        sha256: a64.sha256,
        prefix: null,
        sysroot: null,
      });
      const dir = toolCachePath(d.toolCache, src, process.arch);
      fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'bin', 'half-written'), '');
      const staging = path.join(path.dirname(dir), `.${path.basename(dir)}.tmp-killed`);
      fs.mkdirSync(staging);
      // Its install lock, no longer touched by its dead holder.
      fs.mkdirSync(`${dir}.lock`);
      const old = new Date(Date.now() - 5 * 60000);
      fs.utimesSync(`${dir}.lock`, old, old);
      return runCase('stale', undefined, { dirs: d });
    })(),
  );
  if (TMPFS) {
    start(
      'temp-full',
      (async () => {
        const d = dirsFor('temp-full');
        mountTmpfs(d.temp, '4m');
        return runCase('temp-full', undefined, { dirs: d });
      })(),
    );
  }
  cacheChain = actionsCacheRoundTrip();
  cacheChain.catch(() => undefined);
}, 30000);

interface RoundTrip {
  first: Outcome;
  /** Requests at the file server during the second run. */
  secondHits: number;
  second: Outcome;
  /** A full disk under the same tool cache path, while the Actions cache has the entry. */
  full: Outcome | null;
}

let cacheChain: Promise<RoundTrip>;

/**
 * Run 1 downloads and saves to the Actions cache; run 2 has an empty tool cache at the same path
 * (the cache key's path must match) and must restore without a download; run 3 has a 24 MB
 * tmpfs there, so both the restore and the download's unpacking run out of space.
 */
async function actionsCacheRoundTrip(): Promise<RoundTrip> {
  const d = dirsFor('actions-cache');
  const env = service.env('3');
  const emptyToolCache = () => {
    for (const e of fs.readdirSync(d.toolCache))
      fs.rmSync(path.join(d.toolCache, e), { recursive: true });
  };
  const over = { over: { cache: 'true' }, env, dirs: d };
  const first = await runCase('actions-cache', undefined, over);
  emptyToolCache();
  const second = await runCase('actions-cache', undefined, over);
  const secondHits = second.hits - first.hits;
  emptyToolCache();
  let full: Outcome | null = null;
  if (TMPFS) {
    mountTmpfs(d.toolCache, '24m');
    full = await runCase('actions-cache', undefined, over);
  }
  return { first, second, secondHits, full };
}

afterAll(async () => {
  await server?.close();
  await service?.close();
  await service500?.close();
  await serviceHtml?.close();
  for (const m of mounts) {
    try {
      execFileSync('umount', [m], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', m], { stdio: 'pipe' });
    }
  }
  for (const c of cleanup) fs.rmSync(c, { recursive: true, force: true });
});

const SLOW = 120000;

describe('toolchain download faults', () => {
  test(
    '404: one request, no retries, one clear error naming the URL and what to check',
    async () => {
      const o = await outcome('404');
      expectCleanFailure(o);
      expect(server.hits.get(`/nowhere/${a64.file}`)).toBe(1);
      expect(o.r.errors[0]).toContain(`${server.url}/nowhere/${a64.file}: HTTP 404`);
      expect(o.r.errors[0]).toMatch(/toolchain-url/);
      expect(warnings(o.r)).toEqual([]);
    },
    SLOW,
  );

  test(
    '500 then 200: retried once after a warning, then builds',
    async () => {
      const o = await outcome('500-once');
      expectSuccess(o, 'download');
      expect(o.hits).toBe(2);
      expect(warnings(o.r)).toEqual([
        expect.stringMatching(/HTTP 500.*retrying in 2 s/) as unknown as string,
      ]);
    },
    SLOW,
  );

  test(
    'connection reset mid-body: retried, the partial file is dropped, then builds',
    async () => {
      const o = await outcome('reset');
      expectSuccess(o, 'download');
      expect(o.hits).toBe(2);
      expect(warnings(o.r)).toHaveLength(1);
      expect(warnings(o.r)[0]).toMatch(/retrying in 2 s/);
    },
    SLOW,
  );

  test(
    'a body that always ends short: 3 attempts, then an error saying how much arrived',
    async () => {
      const o = await outcome('truncate');
      expectCleanFailure(o);
      expect(o.hits).toBe(3);
      const size = fs.statSync(path.join(TOOLCHAIN_DIR, a64.file)).size;
      expect(o.r.errors[0]).toMatch(/after 3 attempts/);
      expect(o.r.errors[0]).toMatch(new RegExp(`connection closed after \\d+ of ${size} bytes`));
    },
    SLOW,
  );

  test(
    'an HTML bot-check page with 200: sha256 mismatch with both hashes, nothing cached anywhere',
    async () => {
      const o = await outcome('html');
      expectCleanFailure(o);
      expect(o.hits).toBe(1);
      expect(o.r.errors[0]).toMatch(
        new RegExp(`expected ${a64.sha256}, got [0-9a-f]{64} \\(\\d+ bytes\\)`),
      );
      expect(o.r.errors[0]).not.toContain(`got ${a64.sha256}`);
      expect(serviceHtml.cacheEntries).toEqual([]);
      expect(serviceHtml.calls('GetCacheEntryDownloadURL')).toHaveLength(1);
    },
    SLOW,
  );

  test(
    'a stalled server: each attempt times out after download-timeout, then a clear error',
    async () => {
      const o = await outcome('stall');
      expectCleanFailure(o);
      expect(o.hits).toBe(3);
      expect(o.r.errors[0]).toMatch(/no data for 2 s/);
      expect(o.r.errors[0]).toMatch(/download-timeout/);
      // 3 stalls of 2 s and backoffs of 2 + 4 s; a hang would run into the test timeout.
      expect(o.ms).toBeLessThan(40000);
    },
    SLOW,
  );
});

describe('the tool cache', () => {
  test(
    'a tool cache that cannot be created: one error naming it, nothing downloaded in vain',
    async () => {
      const o = await outcome('tool-cache-under-file');
      expectCleanFailure(o);
      expect(o.r.errors[0]).toContain('tool cache');
      expect(o.r.errors[0]).toContain(path.join(o.d.root, 'not a dir'));
      expect(o.r.errors[0]).toMatch(/RUNNER_TOOL_CACHE/);
      expect(o.hits).toBe(0);
    },
    SLOW,
  );
});

describe('cargo build failure', () => {
  test(
    "a compile error fails the step with rustc's own error line",
    async () => {
      const o = await outcome('compile-error');
      expectCleanFailure(o, true);
      expect(o.r.stdout + o.r.stderr).toMatch(/error\[E0308\]: mismatched types/);
      expect(o.r.errors[0]).toContain('error[E0308]: mismatched types');
      // The toolchain itself is fine and stays cached for the fixed commit.
      expect(o.after.files).not.toEqual([]);
    },
    SLOW,
  );
});

describe('the Actions cache', () => {
  test(
    'service down: a warning, the toolchain is downloaded and the build succeeds',
    async () => {
      const o = await outcome('cache-down');
      expectSuccess(o, 'download');
      expect(o.hits).toBe(1);
      expect(warnings(o.r).join('\n')).toMatch(/ECONNREFUSED/);
    },
    SLOW,
  );
});

describe('the Actions cache, round trip', () => {
  test(
    'run 1 downloads and saves; run 2 with an empty tool cache restores it without a download',
    async () => {
      const { first, second, secondHits } = await cacheChain;
      expectSuccess(first, 'download');
      expect(first.hits).toBe(1);
      expect(service.cacheEntries.filter((e) => e.finalized)).toHaveLength(1);
      expectSuccess(second, 'actions-cache');
      expect(secondHits).toBe(0);
      expect(warnings(second.r)).toEqual([]);
    },
    SLOW,
  );

  fullDiskTest(
    `a full disk: the restore and the unpacking both fail, one error, nothing half-written${NEEDS_TMPFS}`,
    async () => {
      const { second, full } = await cacheChain;
      if (!full) throw new Error('the full-disk run did not happen');
      expectCleanFailure(full);
      // The entry was found, its unpacking failed (a warning), then the download's did.
      expect(warnings(full.r).join('\n')).toMatch(/Failed to restore/);
      expect(full.hits - second.hits).toBe(1);
      expect(full.r.errors[0]).toMatch(/no space left on device/i);
      expect(full.r.errors[0]).toContain(full.d.toolCache);
    },
    SLOW,
  );
});

describe('the Actions cache answering 500', () => {
  test(
    'a lookup failing with 500 after its retries: a warning, a download, the build succeeds',
    async () => {
      const o = await outcome('cache-500');
      expectSuccess(o, 'download');
      expect(o.hits).toBe(1);
      expect(warnings(o.r)).toEqual([
        expect.stringMatching(/^Failed to restore: .*\(500\)/) as unknown as string,
      ]);
      // @actions/cache's own retries (5 attempts), and the save still happens.
      expect(service500.calls('GetCacheEntryDownloadURL')).toHaveLength(5);
      expect(service500.cacheEntries.filter((e) => e.finalized)).toHaveLength(1);
    },
    SLOW,
  );
});

describe('a full RUNNER_TEMP', () => {
  fullDiskTest(
    `the download cannot be written: one error naming RUNNER_TEMP, no pointless retries${NEEDS_TMPFS}`,
    async () => {
      const o = await outcome('temp-full');
      expectCleanFailure(o);
      expect(o.hits).toBe(1);
      expect(warnings(o.r)).toEqual([]);
      expect(o.r.errors[0]).toContain(o.d.temp);
      expect(o.r.errors[0]).toMatch(/no space left on device.*RUNNER_TEMP/i);
    },
    SLOW,
  );
});

describe('a half-extracted toolchain left by a killed run', () => {
  test(
    'is replaced by a fresh copy, not adopted',
    async () => {
      const o = await outcome('stale-dir');
      expectSuccess(o, 'download');
      const tc = JSON.parse(o.r.outputs.toolchains as string) as { dir: string }[];
      const dir = tc[0]?.dir as string;
      expect(fs.existsSync(path.join(dir, 'bin', 'half-written'))).toBe(false);
      expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual([
        process.arch,
        `${process.arch}.complete`,
      ]);
    },
    SLOW,
  );
});
