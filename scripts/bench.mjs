// npm run bench: measures what the action costs on top of the work it wraps, on this machine,
// side by side in one run (medians of ≥ 5 runs each), and prints a markdown table.
//
//   1. warm overhead: node dist/index.js (toolchain already in the tool cache) vs a bare
//      `cargo build` with the environment the action exported, on fixtures/hello and hello-c
//   2. cold toolchain: the action's "Cross toolchain" stage with an empty tool cache vs
//      `curl -s URL | tar xz -C dir` of the same tarball
//   3. all targets at once (pi4, pi2) vs the slowest single target
//   4. ELF parse + verify per real binary
//   5. zig (0.11.0 from scripts/setup-zig.sh): cold install vs curl | tar, a cold vs a warm zig
//      link, and the bytes a cold multi-target run downloads with zig vs with gcc
//   6. the CLI's warm overhead: rust-rpi-cross build vs a bare cargo build (scripts/bench-cli.mjs)
//
// It is a measurement, not a test: a missed target is marked in the table and the exit code is 0.
// Exit code 1 only when a measurement could not be taken (e.g. the action failed).
// Needs what scripts/setup-test-env.sh installs (Debian's Rust as `debian-web`, the toolchain
// tarballs in /opt/rust-rpi-cross-test/toolchains) and an up-to-date dist/ (npm run bundle).
// BENCH_RUNS=n raises the number of timed runs per measurement (never below 5).
// BENCH_ONLY=5,4 runs only the sections whose names start with one of those prefixes.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { actionNode } from './action-node.mjs';
import { benchCli } from './bench-cli.mjs';
import { benchSysroot } from './bench-sysroot.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(REPO, 'dist', 'index.js');
const CLI = path.join(REPO, 'dist', 'cli', 'index.js');
// The action's own Node (action.yml's runs.using), as the runner runs it.
const NODE = actionNode(REPO);
const TEST_HOME = process.env.RPI_TEST_HOME ?? '/opt/rust-rpi-cross-test';
const TOOLCHAIN_DIR = path.join(TEST_HOME, 'toolchains');
const RUST = process.env.RPI_TEST_RUST_TOOLCHAIN ?? 'debian-web';
const REGISTRY = path.join(REPO, 'fixtures', 'debian-registry.toml');
const RUNS = Math.max(5, Number(process.env.BENCH_RUNS) || 5);
const ELF_RUNS = Math.max(RUNS, 25);
const A64 = 'aarch64-unknown-linux-gnu';
const V7 = 'armv7-unknown-linux-gnueabihf';

const t0Bench = performance.now();
const LOAD_START = os.loadavg();
const progress = (m) =>
  process.stderr.write(`[bench ${((performance.now() - t0Bench) / 1000).toFixed(0)}s] ${m}\n`);

// ---------------------------------------------------------------- small helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Index of the run whose value is the (upper) median: its details represent the set. */
const medianIndex = (xs) => {
  const order = xs.map((x, i) => [x, i]).sort((a, b) => a[0] - b[0]);
  return order[order.length >> 1][1];
};
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const plus = (ms) => `${ms < 0 ? '−' : '+'}${secs(Math.abs(ms))}`;
/** Ratio of the fastest runs: less sensitive to other load on the machine than the medians. */
const minRatio = (a, b) => (Math.min(...a) / Math.min(...b)).toFixed(2);
const touch = (file) => {
  const now = new Date();
  fs.utimesSync(file, now, now);
};
const tail = (s, n = 25) => s.split('\n').slice(-n).join('\n');

function toolchain(name) {
  const file = `${name}-gcc12-debian12.tar.gz`;
  const sumFile = path.join(TOOLCHAIN_DIR, `${file}.sha256`);
  if (!fs.existsSync(sumFile)) {
    throw new Error(`${sumFile} is missing: run 'sudo bash scripts/setup-test-env.sh' first`);
  }
  return { file, sha256: fs.readFileSync(sumFile, 'utf8').split(/\s+/)[0] };
}

/**
 * Spawns without a shell and times spawn → exit. `onLine(line, t)` sees stdout lines with the
 * time they arrived (the action's ::group:: lines, for a stage timing with ms resolution).
 */
function exec(cmd, args, { cwd, env, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (c) => {
      const s = c.toString();
      stdout += s;
      if (!onLine) return;
      const t = performance.now() - t0;
      const lines = (partial + s).split('\n');
      partial = lines.pop();
      for (const l of lines) onLine(l, t);
    });
    child.stderr.on('data', (c) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

/** GITHUB_OUTPUT / GITHUB_ENV files: `name<<delimiter` blocks. */
function parseCommandFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const body = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) body.push(lines[i]);
    out[m[1]] = body.join('\n');
  }
  return out;
}

/** The summary's "Time per stage" table → [[stage, ms], …]. */
function stageTimes(summary) {
  const at = summary.indexOf('### Time per stage');
  if (at < 0) return [];
  return summary
    .slice(at)
    .split('\n')
    .map((l) => /^\| (.+?) \| ([\d.]+) \|$/.exec(l))
    .filter(Boolean)
    .map((m) => [m[1], Number(m[2]) * 1000]);
}

/** Times of the cold "Cross toolchain" stage's steps, from the log lines the action prints. */
function toolchainSteps(lines) {
  // Lines arriving in one pipe read share a timestamp, so search forward by position.
  let from = lines.findIndex(([l]) => l.startsWith('::group::Cross toolchain'));
  const start = lines[from]?.[1] ?? NaN;
  const next = (test) => {
    if (from < 0) return NaN;
    const i = lines.findIndex(([l], k) => k > from && test(l));
    if (i < 0) return NaN;
    from = i;
    return lines[i][1];
  };
  const dl = next((l) => l.startsWith('Downloading '));
  const verified = next((l) => /^sha256 \S+ verified/.test(l));
  const placed = next((l) => /^Toolchain \S+: downloaded/.test(l));
  const end = next((l) => l.startsWith('::endgroup::'));
  return {
    before: dl - start,
    download: verified - dl,
    extract: placed - verified,
    layout: end - placed,
  };
}

/** A runner-like directory tree; without spaces so the action's qemu links stay inside it. */
function runnerDirs(root, label) {
  const base = path.join(root, label);
  const d = (n) => {
    const p = path.join(base, n);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  return { base, temp: d('runner-temp'), toolCache: d('tool-cache') };
}

function baseEnv(workspace, dirs) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUSTUP_HOME: process.env.RUSTUP_HOME,
    CARGO_HOME: process.env.CARGO_HOME,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    NO_PROXY: '127.0.0.1,localhost',
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** node dist/index.js as the runner runs it: INPUT_* variables, command files, runner dirs. */
async function runAction(inputs, workspace, dirs, { allowFail = false, env: extra = {} } = {}) {
  const files = fs.mkdtempSync(path.join(dirs.base, 'files-'));
  const out = path.join(files, 'output');
  const envFile = path.join(files, 'env');
  const summary = path.join(files, 'summary');
  for (const f of [out, envFile, summary]) fs.writeFileSync(f, '');
  const env = {
    ...baseEnv(workspace, dirs),
    GITHUB_OUTPUT: out,
    GITHUB_ENV: envFile,
    GITHUB_STEP_SUMMARY: summary,
    ...extra,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  // Stage boundaries as seen from outside, ms resolution: [name, start, end] per ::group::.
  const spans = [];
  const groups = {};
  const lines = [];
  let open = null;
  const onLine = (l, t) => {
    lines.push([l, t]);
    if (l.startsWith('::group::')) open = [l.slice(9), t];
    else if (l.startsWith('::endgroup::') && open) {
      groups[open[0]] = t - open[1];
      spans.push([open[0], open[1], t]);
      open = null;
    }
  };
  const r = await exec(NODE, [DIST], { cwd: workspace, env, onLine });
  if (r.code !== 0 && !allowFail) {
    throw new Error(
      `the action failed (exit ${r.code}) with ${JSON.stringify(inputs)}:\n${tail(r.stdout)}\n${tail(r.stderr, 10)}`,
    );
  }
  const res = {
    ms: r.ms,
    code: r.code,
    outputs: parseCommandFile(fs.readFileSync(out, 'utf8')),
    exported: parseCommandFile(fs.readFileSync(envFile, 'utf8')),
    stages: stageTimes(fs.readFileSync(summary, 'utf8')),
    groups,
    spans,
    lines,
  };
  fs.rmSync(files, { recursive: true, force: true });
  return res;
}

/**
 * Loopback server, like __tests__/helpers/file-server.ts: the toolchain tarballs by name, or with
 * `tree` a whole directory tree (the sysroot mirror's dists/ and pool/ paths), kept inside `root`.
 */
async function startFileServer(root, { tree = false } = {}) {
  const sockets = new Set();
  /** Bytes of the files it was asked for, for the rows about download size. */
  const served = { bytes: 0 };
  const server = http.createServer((req, res) => {
    const asked = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(root, tree ? path.normalize(asked) : path.basename(asked));
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile())
      return void res.writeHead(404).end();
    const size = fs.statSync(file).size;
    served.bytes += size;
    res.writeHead(200, { 'content-length': size });
    fs.createReadStream(file).pipe(res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    served,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** src/elf + src/targets/table.ts bundled to plain JS with ncc (transpile only: no type check). */
async function bundleElf(tmpDir) {
  fs.mkdirSync(tmpDir, { recursive: true });
  const entry = path.join(tmpDir, 'entry.ts');
  const rel = (p) => path.relative(tmpDir, path.join(REPO, p)).split(path.sep).join('/');
  fs.writeFileSync(
    entry,
    `export { verifyBytes } from '${rel('src/elf/index.js')}';\n` +
      `export { targetSpec } from '${rel('src/targets/table.js')}';\n`,
  );
  const out = path.join(tmpDir, 'out');
  const ncc = path.join(REPO, 'node_modules', '.bin', 'ncc');
  const r = await exec(ncc, ['build', entry, '-o', out, '-t', '-q'], {
    cwd: REPO,
    env: process.env,
  });
  if (r.code !== 0) throw new Error(`ncc could not bundle src/elf:\n${tail(r.stdout + r.stderr)}`);
  return import(pathToFileURL(path.join(out, 'index.js')).href);
}

// ---------------------------------------------------------------- the report

const rows = [];
const details = [];
const errors = [];

/** One table row; `checks` are [description, ok] pairs, all must hold. */
function row(id, what, subject, baseline, ratio, extra, target, checks) {
  const missed = checks.filter(([, ok]) => !ok).map(([d]) => d);
  const result = !checks.length
    ? 'info'
    : missed.length
      ? `❌ **MISSED** (${missed.join('; ')})`
      : '✅ met';
  rows.push({ id, what, subject, baseline, ratio, extra, target, result });
}

function stageTable(title, run) {
  const logged = (name) => {
    const sp = run.spans.find(([n]) => n === name);
    return sp ? ((sp[2] - sp[1]) / 1000).toFixed(2) : '?';
  };
  const lines = [
    `**${title}** — total ${secs(run.ms)}`,
    '',
    "| stage | seconds (summary) | seconds (from the log's ::group:: lines) |",
    '| --- | --- | --- |',
  ];
  for (const [name, ms] of run.stages)
    lines.push(`| ${name} | ${(ms / 1000).toFixed(1)} | ${logged(name)} |`);
  const sp = run.spans;
  if (sp.length) {
    const gaps = sp.slice(1).reduce((a, s, i) => a + (s[1] - sp[i][2]), 0);
    const f = (ms) => (ms / 1000).toFixed(2);
    lines.push(
      `| (before the first stage: node start, loading dist/index.js, input parsing) | | ${f(sp[0][1])} |`,
      `| (between stages: cargo env + qemu links, copying and stripping the binaries) | | ${f(gaps)} |`,
      `| (after the last stage: summary, outputs, process exit) | | ${f(run.ms - sp[sp.length - 1][2])} |`,
    );
  }
  details.push(lines.join('\n'));
}

const fmtRuns = (xs) => xs.map((ms) => (ms / 1000).toFixed(2)).join(', ');

const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);

async function section(name, fn) {
  if (ONLY.length && !ONLY.some((p) => name.startsWith(p))) return;
  progress(name);
  try {
    await fn();
  } catch (err) {
    errors.push(`${name}: ${err.message}`);
    rows.push({
      id: '!',
      what: name,
      subject: '—',
      baseline: '—',
      ratio: '—',
      extra: '—',
      target: '—',
      result: `⚠️ ERROR: ${err.message.split('\n')[0]}`,
    });
    progress(`ERROR in ${name}: ${err.message}`);
  }
}

// ---------------------------------------------------------------- zig rows (issue 9)
// Separate functions, called from the main sequence after section 4: zig 0.11.0 from
// scripts/setup-zig.sh, served over loopback like the gcc tarballs.

const ZIG_DIR = path.join(TEST_HOME, 'zig');
const ZIG_FILE = 'zig-linux-x86_64-0.11.0.tar.gz';

function zigArchive() {
  const sumFile = path.join(ZIG_DIR, `${ZIG_FILE}.sha256`);
  if (!fs.existsSync(sumFile)) {
    throw new Error(`${sumFile} is missing: run 'sudo bash scripts/setup-test-env.sh' first`);
  }
  return { file: ZIG_FILE, sha256: fs.readFileSync(sumFile, 'utf8').split(/\s+/)[0] };
}

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

/**
 * zig keys its cache by the absolute paths of its lib/ sources, and each bench runner has its
 * own tool cache: every run's zig reads setup-zig.sh's copy of the same lib/ so that one warm
 * cache serves them all (the archive is still downloaded and unpacked in full).
 */
const zigEnv = (cacheDir) => ({
  ZIG_GLOBAL_CACHE_DIR: cacheDir,
  ZIG_LIB_DIR: path.join(ZIG_DIR, 'zig-linux-x86_64-0.11.0', 'lib'),
});

/** The inputs of a zig-linked pi4 build of fixtures/hello from the loopback zig archive. */
function zigInputs(ctx, zigServer, over = {}) {
  const zig = zigArchive();
  return {
    ...ctx.common,
    target: 'pi4',
    'working-directory': 'hello',
    'toolchain-url': `${zigServer.url}/${zig.file}`,
    'toolchain-sha256': zig.sha256,
    linker: 'zig',
    ...over,
  };
}

const emptyDir = (dir) => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
};

/**
 * 5a. zig cold install: the "Cross toolchain" stage with an empty tool cache vs the same
 * archive through `curl -s URL | tar xz`. zig's own cache stays warm (ctx.zigCache), so the
 * build after the stage costs a relink, not zig's first-use builds.
 */
async function benchZigInstall(ctx) {
  const zigServer = await startFileServer(ZIG_DIR);
  try {
    const d = runnerDirs(ctx.root, 'zig-cold');
    const inputs = zigInputs(ctx, zigServer);
    const env = zigEnv(ctx.zigCache);
    const curlTar = async (i) => {
      const dir = path.join(d.base, `curl-${i}`);
      fs.mkdirSync(dir);
      const r = await exec(
        'bash',
        [
          '-c',
          'set -o pipefail; curl -s "$1" | tar xz -C "$2"',
          'bash',
          `${zigServer.url}/${ZIG_FILE}`,
          dir,
        ],
        { env: { PATH: process.env.PATH, NO_PROXY: '127.0.0.1,localhost' } },
      );
      fs.rmSync(dir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`curl | tar of the zig archive failed: ${r.stderr}`);
      return r.ms;
    };
    progress('  zig warm-up (untimed; fills the bench’s zig cache: one cold link)');
    emptyDir(d.toolCache);
    await runAction(inputs, ctx.ws, d, { env });
    await curlTar('w');
    const stage = [];
    const curl = [];
    const steps = [];
    for (let i = 0; i < RUNS; i++) {
      progress(`  zig cold install run ${i + 1}/${RUNS}`);
      const order = i % 2 ? ['curl', 'action'] : ['action', 'curl'];
      for (const which of order) {
        // 300 MB in 14k files: the previous run's deletion is still being written back, and
        // would land in whichever measurement comes next.
        emptyDir(d.toolCache);
        await exec('sync', []);
        if (which === 'curl') {
          curl.push(await curlTar(i));
          continue;
        }
        const r = await runAction(inputs, ctx.ws, d, { env });
        const tc = JSON.parse(r.outputs.toolchains)[0];
        if (tc?.origin !== 'download' || tc?.linker !== 'zig')
          throw new Error(`expected zig downloaded, got ${JSON.stringify(tc)}`);
        const ms = r.groups['Cross toolchain'];
        if (ms === undefined) throw new Error('no "Cross toolchain" group in the log');
        stage.push(ms);
        steps.push(toolchainSteps(r.lines));
      }
    }
    const a = median(stage);
    const b = median(curl);
    const size = fs.statSync(path.join(ZIG_DIR, ZIG_FILE)).size;
    row(
      '5a',
      `zig cold install (zig 0.11.0, ${mib(size)} .tar.gz): action "Cross toolchain" stage (log lines), empty tool cache vs curl -s URL \\| tar xz`,
      secs(a),
      secs(b),
      (a / b).toFixed(2),
      plus(a - b),
      '≤ 1.2',
      [[`ratio ${(a / b).toFixed(2)} > 1.2`, a / b <= 1.2]],
    );
    const med = (k) => secs(median(steps.map((x) => x[k])));
    details.push(
      `5a. zig cold install runs (s): action stage ${fmtRuns(stage)}; curl | tar ${fmtRuns(curl)}; ratio of the fastest runs ${minRatio(stage, curl)}. ` +
        `Where the stage goes (medians, from its log lines): before the download ${med('before')}, download + sha256 ${med('download')}, unpack + into the tool cache ${med('extract')}, zig layout, \`zig version\` and wrappers ${med('layout')}`,
    );
  } finally {
    await zigServer.close();
  }
}

/**
 * 5b. A cold vs a warm zig link: the Build stage of the same pi4 build with an empty
 * ZIG_GLOBAL_CACHE_DIR (zig builds glibc stubs, crt, compiler_rt and libunwind for the
 * target and floor first) vs the cache 5a filled. Same tool cache, so the same zig.
 */
async function benchZigLink(ctx) {
  const zigServer = await startFileServer(ZIG_DIR);
  try {
    const d = runnerDirs(ctx.root, 'zig-link');
    const inputs = zigInputs(ctx, zigServer);
    const main = path.join(ctx.ws, 'hello', 'src', 'main.rs');
    const build = async (cacheDir) => {
      touch(main);
      const r = await runAction(inputs, ctx.ws, d, { env: zigEnv(cacheDir) });
      const ms = r.groups.Build;
      if (ms === undefined) throw new Error('no "Build" group in the log');
      return ms;
    };
    progress('  zig link warm-up (untimed)');
    await build(ctx.zigCache);
    const cold = [];
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      progress(`  zig link run ${i + 1}/${RUNS} (the cold one builds zig's target libraries)`);
      const fresh = path.join(d.base, `zig-cache-${i}`);
      const order = i % 2 ? ['warm', 'cold'] : ['cold', 'warm'];
      for (const which of order) {
        if (which === 'cold') {
          emptyDir(fresh);
          cold.push(await build(fresh));
          fs.rmSync(fresh, { recursive: true, force: true });
        } else warm.push(await build(ctx.zigCache));
      }
    }
    const a = median(cold);
    const b = median(warm);
    row(
      '5b',
      `zig link, pi4 hello (aarch64-linux-gnu.${ctx.floor}): action "Build" stage with an empty ZIG_GLOBAL_CACHE_DIR vs a warm one`,
      secs(a),
      secs(b),
      (a / b).toFixed(1),
      plus(a - b),
      '— (info: why zig’s cache is kept)',
      [],
    );
    details.push(
      `5b. zig Build stage runs (s): cold cache ${fmtRuns(cold)}; warm cache ${fmtRuns(warm)}`,
    );
  } finally {
    await zigServer.close();
  }
}

/**
 * 5c. Bytes a cold multi-target run downloads, counted by the loopback servers: zig (one
 * archive serves every target) vs the test bed's gcc (pi-multi, one tarball with both Debian
 * cross toolchains). The pinned gcc path fetches one archive per target instead.
 */
async function benchZigBytes(ctx) {
  const zigServer = await startFileServer(ZIG_DIR);
  try {
    const target = 'pi4, pi2';
    const cold = async (label, server, inputs, env = {}) => {
      const d = runnerDirs(ctx.root, label);
      const before = server.served.bytes;
      const r = await runAction(inputs, ctx.ws, d, { env });
      const tcs = JSON.parse(r.outputs.toolchains);
      if (!tcs.every((t) => t.origin === 'download'))
        throw new Error(`${label}: expected downloads, got ${JSON.stringify(tcs)}`);
      return { bytes: server.served.bytes - before, ids: [...new Set(tcs.map((t) => t.id))] };
    };
    progress(`  bytes of a cold ${target} run with zig`);
    const zig = await cold(
      'zig-bytes',
      zigServer,
      zigInputs(ctx, zigServer, { target }),
      zigEnv(ctx.zigCache),
    );
    progress(`  bytes of a cold ${target} run with gcc (pi-multi)`);
    const gcc = await cold('gcc-bytes', ctx.server, {
      ...ctx.common,
      target,
      'working-directory': 'hello',
      'toolchain-url': `${ctx.server.url}/${ctx.multi.file}`,
      'toolchain-sha256': ctx.multi.sha256,
    });
    row(
      '5c',
      `bytes a cold ${target} run downloads: zig 0.11.0 (${zig.ids.length} archive for ${target.split(', ').length} targets) vs gcc (the test bed's pi-multi, ${gcc.ids.length} archive)`,
      mib(zig.bytes),
      mib(gcc.bytes),
      (zig.bytes / gcc.bytes).toFixed(2),
      `${zig.bytes >= gcc.bytes ? '+' : '−'}${mib(Math.abs(zig.bytes - gcc.bytes))}`,
      '— (info)',
      [[`zig used ${zig.ids.length} archives`, zig.ids.length === 1]],
    );
    details.push(
      `5c. downloaded bytes: zig ${zig.bytes} (${zig.ids.join(', ')}); gcc ${gcc.bytes} (${gcc.ids.join(', ')}). ` +
        'For pi-zero, pi2, pi4 zig stays one archive (one distribution serves all six targets); the pinned gcc path is one Bootlin archive per target (three), whose sizes this offline machine cannot measure. ' +
        'The test bed repackages the npm zig as .tar.gz; the release .tar.xz the manifest pins is smaller (0.13.0 x86_64-linux: 47,082,308 B, per the team notes).',
    );
  } finally {
    await zigServer.close();
  }
}

// ---------------------------------------------------------------- setup

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-bench-'));
const elfTmp = path.join(REPO, '.tmp', `bench-${process.pid}`);
let server = null;
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (server) await server.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(elfTmp, { recursive: true, force: true });
  try {
    fs.rmdirSync(path.join(REPO, '.tmp')); // only if we left it empty
  } catch {
    /* other files there, or already gone */
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanup().finally(() => process.exit(130));
  });
}

try {
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: run 'npm run bundle' first`);
  const a64 = toolchain('aarch64-linux-gnu');
  const multi = toolchain('pi-multi');
  server = await startFileServer(TOOLCHAIN_DIR);
  const ws = path.join(root, 'workspace');
  for (const f of ['hello', 'hello-c']) {
    fs.cpSync(path.join(REPO, 'fixtures', f), path.join(ws, f), { recursive: true });
    fs.rmSync(path.join(ws, f, 'target'), { recursive: true, force: true });
  }
  // In the background while the builds run (about 6 s of one core).
  const elfBundle = bundleElf(elfTmp);
  elfBundle.catch(() => undefined);

  const common = {
    'rust-toolchain': RUST,
    'pi-os': 'bookworm',
    cache: 'false',
    upload: 'false',
    args: `--config '${REGISTRY}'`,
  };

  // -------------------------------------------------------------- 0. process start (info)
  await section('0. action process start', async () => {
    const d = runnerDirs(root, 'start');
    const start = [];
    const bare = [];
    for (let i = 0; i < RUNS + 1; i++) {
      // Empty `target` (required): the action loads, fails at input parsing and exits.
      const a = await runAction({ target: '' }, ws, d, { allowFail: true });
      const n = await exec(NODE, ['-e', '0'], { env: process.env });
      if (i === 0) continue;
      start.push(a.ms);
      bare.push(n.ms);
    }
    const s = median(start);
    const b = median(bare);
    row(
      '0',
      'action process start: node dist/index.js exiting at input parsing vs node -e 0',
      secs(s),
      secs(b),
      (s / b).toFixed(2),
      plus(s - b),
      '— (info, explains part of 1)',
      [],
    );
  });

  // -------------------------------------------------------------- 1. warm overhead
  const d1 = runnerDirs(root, 'warm');
  for (const [id, fixture] of [
    ['1a', 'hello'],
    ['1b', 'hello-c'],
  ]) {
    await section(`1. warm overhead, ${fixture}`, async () => {
      const crate = path.join(ws, fixture);
      const main = path.join(crate, 'src', 'main.rs');
      const inputs = {
        ...common,
        target: 'pi4',
        'working-directory': fixture,
        'toolchain-url': `${server.url}/${a64.file}`,
        'toolchain-sha256': a64.sha256,
      };
      progress(`  warm-up ${fixture} (untimed)`);
      const warm = await runAction(inputs, ws, d1);
      const cargoEnv = { ...baseEnv(ws, d1), ...warm.exported };
      const cargoArgs = [`+${RUST}`, 'build', '--release', '--target', A64, '--config', REGISTRY];
      const bare = async () => {
        const r = await exec('cargo', cargoArgs, { cwd: crate, env: cargoEnv });
        if (r.code !== 0) throw new Error(`bare cargo failed:\n${tail(r.stderr)}`);
        return r.ms;
      };
      touch(main);
      await bare(); // untimed: whatever differs from the action's build is rebuilt once, here
      const act = [];
      const cargo = [];
      for (let i = 0; i < RUNS; i++) {
        progress(`  ${fixture} run ${i + 1}/${RUNS}`);
        const order = i % 2 ? ['cargo', 'action'] : ['action', 'cargo'];
        for (const which of order) {
          touch(main);
          if (which === 'action') act.push(await runAction(inputs, ws, d1));
          else cargo.push(await bare());
        }
      }
      const a = median(act.map((r) => r.ms));
      const b = median(cargo);
      const ratio = a / b;
      const extra = a - b;
      row(
        id,
        `warm overhead, ${fixture}: action (pi4, tool cache warm) vs bare cargo build`,
        secs(a),
        secs(b),
        ratio.toFixed(2),
        plus(extra),
        '≤ 1.05 and ≤ +0.5 s',
        [
          [`ratio ${ratio.toFixed(2)} > 1.05`, ratio <= 1.05],
          [`+${secs(extra)} > 0.5 s`, extra <= 500],
        ],
      );
      const rep = act[medianIndex(act.map((r) => r.ms))];
      stageTable(`1. ${fixture}: the action's "Time per stage" (the median run)`, rep);
      details.push(
        `1. ${fixture} runs (s): action ${fmtRuns(act.map((r) => r.ms))}; bare cargo ${fmtRuns(cargo)}; ratio of the fastest runs ${minRatio(
          act.map((r) => r.ms),
          cargo,
        )}`,
      );
    });
  }

  // -------------------------------------------------------------- 2. cold toolchain
  await section('2. cold toolchain', async () => {
    const d = runnerDirs(root, 'cold');
    const inputs = {
      ...common,
      target: 'pi4',
      'working-directory': 'hello',
      'toolchain-url': `${server.url}/${a64.file}`,
      'toolchain-sha256': a64.sha256,
    };
    const emptyToolCache = () => {
      fs.rmSync(d.toolCache, { recursive: true, force: true });
      fs.mkdirSync(d.toolCache, { recursive: true });
    };
    // Same tool cache path every run, so cargo sees the same linker path and builds nothing.
    const PIPED = 'set -o pipefail; curl -s "$1" | tar xz -C "$2"';
    // Not a target, to tell design from implementation: the action's steps done by the shell
    // tools, one after the other (download to a file, hash it, then unpack it).
    const STEPWISE =
      'set -e; t0=$EPOCHREALTIME; curl -s -o "$2.tgz" "$1"; t1=$EPOCHREALTIME; ' +
      'sha256sum "$2.tgz" >/dev/null; t2=$EPOCHREALTIME; tar xzf "$2.tgz" -C "$2"; ' +
      't3=$EPOCHREALTIME; rm -f "$2.tgz"; echo "$t0 $t1 $t2 $t3"';
    const shellFetch = async (script, i) => {
      const dir = path.join(d.base, `curl-${i}`);
      fs.mkdirSync(dir);
      const r = await exec('bash', ['-c', script, 'bash', `${server.url}/${a64.file}`, dir], {
        env: { PATH: process.env.PATH, NO_PROXY: '127.0.0.1,localhost' },
      });
      fs.rmSync(dir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`bash -c '${script}' failed (exit ${r.code}): ${r.stderr}`);
      return r;
    };
    const curlTar = async (i) => (await shellFetch(PIPED, i)).ms;
    progress('  warm-up (untimed)');
    emptyToolCache();
    await runAction(inputs, ws, d);
    await curlTar('w');
    const stage = [];
    const logged = [];
    const totals = [];
    const curl = [];
    const stepwise = [];
    const shellSteps = [];
    const actionSteps = [];
    for (let i = 0; i < RUNS; i++) {
      progress(`  cold run ${i + 1}/${RUNS}`);
      const order = i % 2 ? ['curl', 'action', 'stepwise'] : ['action', 'curl', 'stepwise'];
      for (const which of order) {
        if (which === 'curl') {
          curl.push(await curlTar(i));
          continue;
        }
        if (which === 'stepwise') {
          const r = await shellFetch(STEPWISE, `s${i}`);
          const [t0, t1, t2, t3] = r.stdout
            .trim()
            .split(' ')
            .map((x) => Number(x) * 1000);
          stepwise.push(r.ms);
          shellSteps.push({ download: t1 - t0, hash: t2 - t1, extract: t3 - t2 });
          continue;
        }
        emptyToolCache();
        const r = await runAction(inputs, ws, d);
        const origin = JSON.parse(r.outputs.toolchains)[0]?.origin;
        if (origin !== 'download')
          throw new Error(`expected a download, the action used ${origin}`);
        const s = r.stages.find(([n]) => n === 'Cross toolchain');
        if (!s)
          throw new Error('no "Cross toolchain" row in the summary\'s "Time per stage" table');
        stage.push(s[1]);
        logged.push(r.groups['Cross toolchain'] ?? NaN);
        totals.push(r.ms);
        actionSteps.push(toolchainSteps(r.lines));
      }
    }
    const a = median(stage);
    const b = median(curl);
    const ratio = a / b;
    const size = fs.statSync(path.join(TOOLCHAIN_DIR, a64.file)).size;
    row(
      '2',
      `cold toolchain (${(size / 1048576).toFixed(1)} MiB .tar.gz): action "Cross toolchain" stage, empty tool cache vs curl -s URL \\| tar xz`,
      secs(a),
      secs(b),
      ratio.toFixed(2),
      plus(a - b),
      '≤ 1.2',
      [[`ratio ${ratio.toFixed(2)} > 1.2`, ratio <= 1.2]],
    );
    details.push(
      `2. cold runs (s): "Cross toolchain" stage from the summary (0.1 s resolution) ${fmtRuns(stage)}; ` +
        `the same stage timed from its ::group::/::endgroup:: log lines ${fmtRuns(logged)} (median ${secs(median(logged))}, ratio ${(median(logged) / b).toFixed(2)}); ` +
        `whole action ${fmtRuns(totals)}; curl | tar ${fmtRuns(curl)}; ratio of the fastest runs ${minRatio(stage, curl)}; ` +
        `for comparison, the same steps one after the other in the shell (curl -o file; sha256sum file; tar xzf file) ${fmtRuns(stepwise)} (median ${secs(median(stepwise))}, action stage / that ${(a / median(stepwise)).toFixed(2)})`,
    );
    const med = (xs, k) => secs(median(xs.map((x) => x[k])));
    details.push(
      [
        '**2. where the cold "Cross toolchain" stage goes** (medians; action steps timed from its log lines)',
        '',
        '| step | action | shell tools |',
        '| --- | --- | --- |',
        `| stage start → "Downloading" (manifest/lockfile, tool cache check) | ${med(actionSteps, 'before')} | |`,
        `| download to a file + sha256 (the action hashes while writing) | ${med(actionSteps, 'download')} | curl -o ${med(shellSteps, 'download')} + sha256sum ${med(shellSteps, 'hash')} |`,
        `| unpack (tar xz via @actions/tool-cache) + move into the tool cache | ${med(actionSteps, 'extract')} | tar xzf ${med(shellSteps, 'extract')} |`,
        `| layout discovery (gcc driver, sysroot) → stage end | ${med(actionSteps, 'layout')} | |`,
        `| whole | ${secs(median(logged))} | stepwise ${secs(median(stepwise))}, piped ${secs(b)} |`,
      ].join('\n'),
    );
  });

  // -------------------------------------------------------------- 3. all targets vs single
  let multiRun = null;
  const d3 = runnerDirs(root, 'multi');
  await section('3. all targets vs slowest single', async () => {
    const main = path.join(ws, 'hello-c', 'src', 'main.rs');
    const base = {
      ...common,
      'working-directory': 'hello-c',
      'toolchain-url': `${server.url}/${multi.file}`,
      'toolchain-sha256': multi.sha256,
    };
    const configs = [
      ['all', 'pi4, pi2'],
      ['pi4', 'pi4'],
      ['pi2', 'pi2'],
    ];
    progress('  warm-up pi4, pi2 / pi4 / pi2 (untimed)');
    for (const [, target] of configs) {
      touch(main);
      multiRun = await runAction({ ...base, target }, ws, d3);
    }
    const runs = { all: [], pi4: [], pi2: [] };
    for (let i = 0; i < RUNS; i++) {
      progress(`  multi run ${i + 1}/${RUNS}`);
      for (let k = 0; k < configs.length; k++) {
        const [name, target] = configs[(i + k) % configs.length];
        touch(main);
        const r = await runAction({ ...base, target }, ws, d3);
        runs[name].push(r);
        if (name === 'all') multiRun = r;
      }
    }
    const med = (n) => median(runs[n].map((r) => r.ms));
    const all = med('all');
    const single = Math.max(med('pi4'), med('pi2'));
    const slowest = med('pi4') >= med('pi2') ? 'pi4' : 'pi2';
    const ratio = all / single;
    row(
      '3',
      `all targets (pi4, pi2) in one action run vs the slowest single target (${slowest}; pi4 ${secs(med('pi4'))}, pi2 ${secs(med('pi2'))}), hello-c`,
      secs(all),
      secs(single),
      ratio.toFixed(2),
      plus(all - single),
      '≤ 1.3',
      [[`ratio ${ratio.toFixed(2)} > 1.3`, ratio <= 1.3]],
    );
    for (const n of ['all', 'pi4', 'pi2']) {
      const ms = runs[n].map((r) => r.ms);
      stageTable(
        `3. ${n === 'all' ? 'pi4, pi2' : n}: the action's "Time per stage" (the median run)`,
        runs[n][medianIndex(ms)],
      );
      details.push(`3. ${n} runs (s): ${fmtRuns(ms)}`);
    }
    const mins = (n) => runs[n].map((r) => r.ms);
    details.push(
      `3. ratio of the fastest runs: all / max(single) ${(Math.min(...mins('all')) / Math.max(Math.min(...mins('pi4')), Math.min(...mins('pi2')))).toFixed(2)}`,
    );
  });

  // -------------------------------------------------------------- 4. ELF verification
  await section('4. ELF verification', async () => {
    const elf = await elfBundle;
    const bins = [];
    if (multiRun) {
      for (const b of JSON.parse(multiRun.outputs.binaries)) {
        bins.push({
          label: `${b.target} hello-c, stripped (what the action checks)`,
          triple: b.target,
          file: b.path,
        });
      }
    }
    for (const t of [A64, V7]) {
      const file = path.join(ws, 'hello-c', 'target', t, 'release', 'pi-hello-c');
      if (fs.existsSync(file))
        bins.push({ label: `${t} hello-c, unstripped release`, triple: t, file });
    }
    if (multiRun) {
      progress('  debug build of hello-c for aarch64 (a large unstripped binary)');
      const env = { ...baseEnv(ws, d3), ...multiRun.exported };
      const args = [`+${RUST}`, 'build', '--target', A64, '--config', REGISTRY];
      const r = await exec('cargo', args, { cwd: path.join(ws, 'hello-c'), env });
      if (r.code !== 0) throw new Error(`debug build failed:\n${tail(r.stderr)}`);
      bins.push({
        label: `${A64} hello-c, unstripped debug build`,
        triple: A64,
        file: path.join(ws, 'hello-c', 'target', A64, 'debug', 'pi-hello-c'),
      });
    }
    if (!bins.length) throw new Error('no built binaries to verify (section 3 failed)');
    for (const b of bins) {
      b.bytes = fs.readFileSync(b.file);
      b.expect = { spec: elf.targetSpec(b.triple), glibcFloor: '2.36', piOs: 'bookworm' };
    }
    // The action verifies each binary once in a fresh process: the first call (cold JIT) is
    // what it pays. Then every binary is warmed up before any is timed, so order does not count.
    let t = performance.now();
    const first = elf.verifyBytes(bins[0].bytes, bins[0].expect);
    const coldMs = performance.now() - t;
    for (let w = 0; w < 20; w++) for (const b of bins) elf.verifyBytes(b.bytes, b.expect);
    for (const [i, b] of bins.entries()) {
      const { bytes, expect } = b;
      const verdict = i === 0 ? first : elf.verifyBytes(bytes, expect);
      const errs = verdict.findings.filter((f) => f.severity === 'error').map((f) => f.code);
      const times = [];
      for (let k = 0; k < ELF_RUNS; k++) {
        t = performance.now();
        elf.verifyBytes(bytes, expect);
        times.push(performance.now() - t);
      }
      const ms = median(times);
      const size =
        bytes.length >= 1048576
          ? `${(bytes.length / 1048576).toFixed(1)} MiB`
          : `${(bytes.length / 1024).toFixed(0)} KiB`;
      row(
        `4${'abcdefgh'[i]}`,
        `ELF parse + verify (verifyBytes, median of ${ELF_RUNS}): ${b.label}, ${size}${errs.length ? ` [findings: ${errs.join(', ')}]` : ''}${i === 0 ? ` (first call in the process, cold JIT: ${coldMs.toFixed(1)} ms)` : ''}`,
        `${ms.toFixed(2)} ms`,
        '—',
        '—',
        '—',
        '≤ 20 ms',
        [[`${ms.toFixed(1)} ms > 20 ms`, ms <= 20]],
      );
    }
  });
  // -------------------------------------------------------------- 5. zig (issue 9)
  const zigCtx = {
    root,
    ws,
    common,
    server,
    multi,
    floor: '2.36',
    // Filled once by 5a's warm-up, then the warm cache of 5a, 5b and 5c.
    zigCache: path.join(root, 'zig-cache-warm'),
  };
  await section('5a. zig cold install', () => benchZigInstall(zigCtx));
  await section('5b. zig cold vs warm link', () => benchZigLink(zigCtx));
  await section('5c. bytes downloaded, zig vs gcc', () => benchZigBytes(zigCtx));

  // -------------------------------------------------------------- 6. CLI warm overhead
  await section('6. CLI warm overhead', () =>
    benchCli({
      exec,
      median,
      secs,
      plus,
      touch,
      row,
      details,
      fmtRuns,
      progress,
      tail,
      ws,
      root,
      server,
      a64,
      RUNS,
      RUST,
      REGISTRY,
      CLI,
    }),
  );

  // -------------------------------------------------------------- 7. Pi OS packages stage
  await section('7. Pi OS packages', () =>
    benchSysroot({
      startFileServer,
      runAction,
      runnerDirs,
      row,
      details,
      secs,
      progress,
      median,
      root,
      ws,
      common,
      server,
      multi,
      v7: toolchain('arm-linux-gnueabihf'),
      testHome: TEST_HOME,
      RUNS,
    }),
  );
} catch (err) {
  errors.push(err.message);
} finally {
  await cleanup();
}

// ---------------------------------------------------------------- print

const cpu =
  /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
  os.cpus()[0]?.model ??
  'unknown';
const command =
  process.env.npm_lifecycle_event === 'bench'
    ? 'npm run bench (node scripts/bench.mjs)'
    : `node ${path.relative(REPO, process.argv[1])}`;
const wall = (performance.now() - t0Bench) / 1000;
const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
const out = [
  `rust-rpi-cross bench — ${new Date().toISOString()} — machine: nproc ${os.availableParallelism?.() ?? os.cpus().length}, CPU ${cpu}, node ${process.version} — command: \`${command}\` — medians of ${RUNS} runs — load average (1/5/15 min) at start ${load(LOAD_START)}, at end ${load(os.loadavg())}`,
  '',
  '| # | measurement | subject (median) | baseline (median) | ratio | extra | target | result |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.id} | ${r.what} | ${r.subject} | ${r.baseline} | ${r.ratio} | ${r.extra} | ${r.target} | ${r.result} |`,
  ),
  '',
  `Missed targets: ${rows.filter((r) => r.result.includes('MISSED')).length} of ${rows.filter((r) => r.result !== 'info').length}. Bench wall time: ${wall.toFixed(0)} s.`,
  '',
  '### Details',
  '',
  ...details.flatMap((d) => [d, '']),
];
if (errors.length)
  out.push('### Errors', '', ...errors.map((e) => `- ${e.replace(/\n/g, '\n  ')}`), '');
process.stdout.write(out.join('\n'));
process.exitCode = errors.length ? 1 : 0;
