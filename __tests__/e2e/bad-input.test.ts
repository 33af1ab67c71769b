import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startActionsService, type RequestRecord } from '../helpers/actions-service.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { FIXTURES, RUST_TOOLCHAIN, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { pool } from '../helpers/pool.js';

// Every bad value goes through the bundled dist/index.js as the runner runs it, and must stop
// the step with exit code 1 and exactly one `::error::` line that names the input and says what
// to write instead: no stack trace, nothing uploaded, no half-unpacked toolchain left behind.

interface BadCase {
  what: string;
  inputs: Record<string, string>;
  /** The input the error must name. */
  input: string;
  /** What the message must say: the problem and what to write instead. */
  says: RegExp[];
}

interface Outcome {
  run: ActionRun;
  /** Requests the (fake) Actions service got that upload or create an artifact. */
  uploads: RequestRecord[];
}

const VALID = /Valid boards: pi1, .*valid triples: aarch64-unknown-linux-gnu,/;
const SHA = 'a'.repeat(64);
/** A stack frame line such as `    at foo (file.js:1:2)`. */
const STACK_FRAME = /^\s+at\s.*:\d+:\d+\)?\s*$/m;

/** Rejected while the inputs are parsed: no cargo, no download. */
const PARSE_CASES: BadCase[] = [
  {
    what: 'unknown board',
    inputs: { target: 'pi9' },
    input: 'target',
    says: [/unknown target 'pi9'\. Did you mean 'pi1'\?/, VALID],
  },
  {
    what: 'unknown name without a near match',
    inputs: { target: 'raspberry-pi-4' },
    input: 'target',
    says: [/unknown target 'raspberry-pi-4'\. Valid boards/, VALID],
  },
  {
    what: 'one unknown name among good ones',
    inputs: { target: 'pi4, pizero' },
    input: 'target',
    says: [/unknown target 'pizero'\. Did you mean 'pi-zero'\?/, VALID],
  },
  {
    what: 'unknown modifier',
    inputs: { target: 'pi4:64' },
    input: 'target',
    says: [/'pi4:64': unknown modifier ':64'; use ':32' .* or ':musl'/],
  },
  {
    what: ':32 on a 32-bit-only board',
    inputs: { target: 'pi1:32' },
    input: 'target',
    says: [/'pi1:32': Raspberry Pi 1 only runs a 32-bit Pi OS; write 'pi1' without ':32'/],
  },
  {
    what: 'x86_64 triple',
    inputs: { target: 'x86_64-unknown-linux-gnu' },
    input: 'target',
    says: [/'x86_64-unknown-linux-gnu' is not a Raspberry Pi target\./, VALID],
  },
  {
    what: 'riscv triple',
    inputs: { target: 'riscv64gc-unknown-linux-gnu' },
    input: 'target',
    says: [/'riscv64gc-unknown-linux-gnu' is not a Raspberry Pi target\./, VALID],
  },
  {
    what: 'an Apple aarch64 triple',
    inputs: { target: 'aarch64-apple-darwin' },
    input: 'target',
    says: [/'aarch64-apple-darwin' is not a Raspberry Pi target\./, VALID],
  },
  {
    what: 'empty target',
    inputs: { target: '' },
    input: 'target',
    says: [/is empty; name a Pi board or a Rust triple, e\.g\. 'pi4'/, VALID],
  },
  {
    what: 'target of separators only',
    inputs: { target: ' ,\n, ' },
    input: 'target',
    says: [/is empty; name a Pi board or a Rust triple/],
  },
  {
    what: 'unicode lookalike (Greek pi)',
    inputs: { target: 'π4' },
    input: 'target',
    says: [/unknown target 'π4'\. Did you mean 'pi4'\?/, VALID],
  },
  {
    what: 'fullwidth letters',
    inputs: { target: 'ＰＩ４' },
    input: 'target',
    says: [/unknown target 'ｐｉ４'\. Did you mean 'pi4'\?/],
  },
  {
    what: 'an invisible zero-width space pasted along',
    inputs: { target: 'pi4\u200b' },
    input: 'target',
    says: [
      /unknown target 'pi4<U\+200B>': it contains an invisible character \(U\+200B\)/,
      /retype it\. Did you mean 'pi4'\?/,
    ],
  },
  {
    what: 'pi-os typo',
    inputs: { 'pi-os': 'bookwrom' },
    input: 'pi-os',
    says: [/'bookwrom' is not one of 'buster', 'bullseye', 'bookworm', 'trixie'/],
  },
  {
    what: 'pi-os with only musl targets',
    inputs: { target: 'pi4:musl', 'pi-os': 'bookworm' },
    input: 'pi-os',
    says: [/every target is musl .*; remove 'pi-os' or build a gnu target/],
  },
  {
    what: 'pi-os with musl triples',
    inputs: {
      target: 'aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf',
      'pi-os': 'buster',
    },
    input: 'pi-os',
    says: [/every target is musl/],
  },
  {
    what: 'rust-lld for a gnu target',
    inputs: { linker: 'rust-lld' },
    input: 'linker',
    says: [
      /'rust-lld' links only musl targets .*; aarch64-unknown-linux-gnu needs 'auto', 'gcc' or 'zig'/,
    ],
  },
  {
    what: 'rust-lld for gnu and musl targets',
    inputs: { target: 'pi4:musl, pi2, pi3', linker: 'rust-lld' },
    input: 'linker',
    says: [
      /; armv7-unknown-linux-gnueabihf, aarch64-unknown-linux-gnu need 'auto', 'gcc' or 'zig'/,
    ],
  },
  {
    what: 'unknown linker',
    inputs: { linker: 'lld' },
    input: 'linker',
    says: [/'lld' is not one of 'auto', 'gcc', 'zig', 'rust-lld'/],
  },
  {
    what: 'toolchain-url without toolchain-sha256',
    inputs: { 'toolchain-url': 'https://example.com/tc.tar.xz' },
    input: 'toolchain-sha256',
    says: [/is required with 'toolchain-url'.*; write its sha256, e\.g\. .*sha256sum/],
  },
  {
    what: 'malformed sha256 (too short)',
    inputs: { 'toolchain-url': 'https://example.com/tc.tar.xz', 'toolchain-sha256': 'abc123' },
    input: 'toolchain-sha256',
    says: [/'abc123' is not a sha256 \(64 hex digits, as printed by 'sha256sum'\)/],
  },
  {
    what: 'malformed sha256 (not hex)',
    inputs: {
      'toolchain-url': 'https://example.com/tc.tar.xz',
      'toolchain-sha256': 'g'.repeat(64),
    },
    input: 'toolchain-sha256',
    says: [/'g{64}' is not a sha256 \(64 hex digits/],
  },
  {
    what: 'toolchain-sha256 without toolchain-url',
    inputs: { 'toolchain-sha256': SHA },
    input: 'toolchain-sha256',
    says: [/only applies with 'toolchain-url'; add the toolchain's URL or remove/],
  },
  {
    what: 'ftp:// toolchain-url',
    inputs: { 'toolchain-url': 'ftp://example.com/tc.tar.xz', 'toolchain-sha256': SHA },
    input: 'toolchain-url',
    says: [/'ftp:\/\/example\.com\/tc\.tar\.xz' uses ftp: — only http:\/\/ and https:\/\//],
  },
  {
    what: 'file:// toolchain-url',
    inputs: { 'toolchain-url': 'file:///etc/passwd', 'toolchain-sha256': SHA },
    input: 'toolchain-url',
    says: [/'file:\/\/\/etc\/passwd' uses file: — only http:\/\/ and https:\/\//],
  },
  {
    what: 'toolchain-url that is not a URL',
    inputs: { 'toolchain-url': 'tc.tar.xz', 'toolchain-sha256': SHA },
    input: 'toolchain-url',
    says: [/'tc\.tar\.xz' is not a URL; write an http\(s\) URL such as https:\/\//],
  },
  {
    what: 'ftp:// toolchain-mirror',
    inputs: { 'toolchain-mirror': 'ftp://mirror.example.com' },
    input: 'toolchain-mirror',
    says: [/uses ftp: — only http:\/\/ and https:\/\/ URLs/],
  },
  {
    what: 'missing working-directory',
    inputs: { 'working-directory': 'crates/nope' },
    input: 'working-directory',
    says: [/directory '.*crates\/nope' does not exist; give a path relative to the repository/],
  },
  {
    what: 'missing manifest-path',
    inputs: { 'manifest-path': 'nope/Cargo.toml' },
    input: 'manifest-path',
    says: [/'.*hello\/nope\/Cargo\.toml' does not exist; point it at a Cargo\.toml/],
  },
  {
    what: 'all-features with features',
    inputs: { 'all-features': 'true', features: 'a' },
    input: 'all-features',
    says: [/already turns on every feature; remove 'features'/],
  },
  {
    what: 'all-features with no-default-features',
    inputs: { 'all-features': 'true', 'no-default-features': 'true' },
    input: 'all-features',
    says: [/or set 'all-features: false'/],
  },
  {
    what: 'args with an unbalanced double quote',
    inputs: { args: '--features "a b' },
    input: 'args',
    says: [/has an unterminated double quote: close every quote, e\.g\. --features "a b"/],
  },
  {
    what: 'args with an unbalanced single quote',
    inputs: { args: "--config 'x.toml" },
    input: 'args',
    says: [/has an unterminated single quote: close every quote/],
  },
  {
    what: 'args ending in a backslash',
    inputs: { args: '--features a\\' },
    input: 'args',
    says: [/ends with a lone backslash: remove it, or write '\\\\' for a literal backslash/],
  },
  {
    what: 'smoke-test with an unbalanced quote',
    inputs: { 'smoke-test': "--greet 'hello" },
    input: 'smoke-test',
    says: [/has an unterminated single quote: close every quote/],
  },
  {
    what: 'profile that is not a name',
    inputs: { profile: '../release' },
    input: 'profile',
    says: [/'\.\.\/release' is not a profile name; use 'release', 'dev' or a \[profile/],
  },
  {
    what: 'retention-days above 90',
    inputs: { 'retention-days': '91' },
    input: 'retention-days',
    says: [/'91' must be a whole number of days from 1 to 90/],
  },
  {
    what: 'retention-days 0',
    inputs: { 'retention-days': '0' },
    input: 'retention-days',
    says: [/'0' must be a whole number of days from 1 to 90/],
  },
  {
    what: 'retention-days as words',
    inputs: { 'retention-days': 'a week' },
    input: 'retention-days',
    says: [/'a week' must be a whole number of days/],
  },
  {
    what: 'smoke-test-timeout not a number',
    inputs: { 'smoke-test-timeout': 'abc' },
    input: 'smoke-test-timeout',
    says: [/'abc' is not a number of seconds between 1 and 3600, e\.g\. '30'/],
  },
  {
    what: 'smoke-test-timeout negative',
    inputs: { 'smoke-test-timeout': '-5' },
    input: 'smoke-test-timeout',
    says: [/'-5' is not a number of seconds/],
  },
  {
    what: 'download-timeout 0',
    inputs: { 'download-timeout': '0' },
    input: 'download-timeout',
    says: [/'0' is not a number of seconds between 1 and 3600/],
  },
  {
    what: 'bad boolean (yes)',
    inputs: { cache: 'yes' },
    input: 'cache',
    says: [/'yes' is not a boolean; write 'true' or 'false'/],
  },
  {
    what: 'bad boolean (1)',
    inputs: { upload: '1' },
    input: 'upload',
    says: [/'1' is not a boolean; write 'true' or 'false'/],
  },
  {
    what: 'bad boolean (on)',
    inputs: { locked: 'on' },
    input: 'locked',
    says: [/'on' is not a boolean/],
  },
  {
    what: 'unknown command',
    inputs: { command: 'run' },
    input: 'command',
    says: [/'run' is not one of 'build', 'test', 'both'/],
  },
  {
    what: 'unknown verify mode',
    inputs: { verify: 'strict' },
    input: 'verify',
    says: [/'strict' is not one of 'true', 'false', 'warn'/],
  },
  {
    what: 'unknown archive format',
    inputs: { archive: 'tar.xz' },
    input: 'archive',
    says: [/'tar\.xz' is not one of 'tar\.gz', 'zip', 'none'/],
  },
];

/** Accepted as inputs but refused by cargo itself, with the real toolchain and fixture crate. */
const CARGO_CASES: BadCase[] = [
  {
    what: 'package not in the workspace',
    inputs: { 'working-directory': 'ws', package: 'nope' },
    input: 'package',
    says: [/cargo refused it: package ID specification `nope` did not match any packages; use/],
  },
  {
    what: 'bin not in the workspace',
    inputs: { 'working-directory': 'ws', package: 'pi-hello', bin: 'nope' },
    input: 'bin',
    says: [/cargo refused it: no bin target named `nope`.*; use a \[\[bin\]\] name/],
  },
  {
    what: 'profile not defined',
    inputs: { profile: 'nope' },
    input: 'profile',
    says: [/cargo refused it: profile `nope` is not defined; add \[profile\.nope\] to Cargo\.toml/],
  },
  {
    what: 'a feature the package does not have',
    inputs: { features: 'nosuch' },
    input: 'features',
    says: [
      /cargo refused it: the package 'pi-hello' does not contain this feature: nosuch; use features/,
    ],
  },
  {
    what: 'features the package does not have',
    inputs: { features: 'x, y' },
    input: 'features',
    says: [/does not contain these features: x, y; use features the package declares/],
  },
  {
    what: 'a feature given in args',
    inputs: { args: '--features nosuch' },
    input: 'args',
    says: [/must not contain --features: it has its own input; use the 'features' input instead/],
  },
  {
    what: 'a package given in args',
    inputs: { args: '-p nope' },
    input: 'args',
    says: [/must not contain --package \(as '-p'\): .*; use the 'package' input instead/],
  },
  {
    what: 'an argument cargo does not know',
    inputs: { args: '--frobnicate' },
    input: 'args',
    says: [/cargo refused it: unexpected argument '--frobnicate' found; fix or remove it/],
  },
  {
    what: 'an argument that clashes with the profile input',
    inputs: { args: '--release' },
    input: 'args',
    says: [/must not contain --release: the action passes --profile; use the 'profile' input/],
  },
  {
    what: 'a working-directory without Cargo.toml',
    inputs: { 'working-directory': 'no crate' },
    input: 'working-directory',
    says: [/cargo refused it: could not find `Cargo\.toml` in .*; point 'working-directory'/],
  },
];

let server: FileServer;
let parseDirs: RunnerDirs;
let cargoDirs: RunnerDirs;
const a64 = testToolchain('aarch64-linux-gnu');
const parseOutcomes = new Map<string, Outcome>();
const cargoOutcomes = new Map<string, Outcome>();

function copyCrate(to: string): void {
  fs.cpSync(path.join(FIXTURES, 'hello'), to, { recursive: true });
}

/** hello, a workspace `ws` with hello as member `app`, an empty directory, a unicode path. */
function fillWorkspace(d: RunnerDirs): void {
  copyCrate(path.join(d.workspace, 'hello'));
  copyCrate(path.join(d.workspace, 'ws', 'app'));
  fs.renameSync(
    path.join(d.workspace, 'ws', 'app', 'Cargo.lock'),
    path.join(d.workspace, 'ws', 'Cargo.lock'),
  );
  fs.writeFileSync(
    path.join(d.workspace, 'ws', 'Cargo.toml'),
    '[workspace]\nmembers = ["app"]\nresolver = "2"\n',
  );
  fs.mkdirSync(path.join(d.workspace, 'no crate'));
  copyCrate(path.join(d.workspace, 'crätes', 'hëllo wörld'));
}

/** What a real build needs: the offline Rust toolchain and the loopback gcc toolchain. */
function buildInputs(over: Record<string, string>): Record<string, string> {
  return {
    target: 'pi4',
    'working-directory': 'hello',
    'rust-toolchain': RUST_TOOLCHAIN,
    'pi-os': 'bookworm',
    cache: 'false',
    'toolchain-url': `${server.url}/${a64.file}`,
    'toolchain-sha256': a64.sha256,
    ...over,
  };
}

/** Runs the action against its own fake Actions service, to see whether it uploaded. */
async function outcome(inputs: Record<string, string>, dirs: RunnerDirs): Promise<Outcome> {
  const service = await startActionsService();
  try {
    const run = await runAction(inputs, dirs, service.env());
    const uploads = service.requests.filter(
      (r) => r.path.includes('ArtifactService') || r.method === 'PUT',
    );
    return { run, uploads };
  } finally {
    await service.close();
  }
}

/** Concurrent runs must not share RUNNER_TEMP (the qemu runner links live under it). */
function ownTemp(d: RunnerDirs): RunnerDirs {
  return { ...d, temp: fs.mkdtempSync(path.join(d.root, 'temp ')) };
}

/**
 * Files of the tool cache that are not part of a complete toolchain: every
 * `<tool>/<version>/<arch>` directory needs its `<arch>.complete` marker, and nothing else
 * may be there.
 */
function halfInstalled(toolCache: string): string[] {
  const bad: string[] = [];
  const isDir = (p: string) => fs.statSync(p).isDirectory();
  for (const tool of fs.readdirSync(toolCache)) {
    const toolDir = path.join(toolCache, tool);
    if (!isDir(toolDir)) {
      bad.push(tool);
      continue;
    }
    for (const version of fs.readdirSync(toolDir)) {
      const versionDir = path.join(toolDir, version);
      if (!isDir(versionDir)) {
        bad.push(path.join(tool, version));
        continue;
      }
      const entries = fs.readdirSync(versionDir);
      for (const e of entries) {
        const arch = e.endsWith('.complete') ? e.slice(0, -'.complete'.length) : e;
        const complete =
          entries.includes(`${arch}.complete`) &&
          entries.includes(arch) &&
          isDir(path.join(versionDir, arch));
        if (!complete) bad.push(path.join(tool, version, e));
      }
    }
  }
  return bad;
}

function expectCleanFailure(c: BadCase, o: Outcome | undefined, d: RunnerDirs): void {
  expect(o).toBeDefined();
  const { run, uploads } = o as Outcome;
  expect(run.errors).toHaveLength(1);
  const message = run.errors[0] as string;
  expect(message.startsWith(`input '${c.input}': `)).toBe(true);
  for (const re of c.says) expect(message).toMatch(re);
  expect(message).not.toMatch(/internal error/);
  expect(run.code).toBe(1);
  expect(run.stdout).not.toMatch(STACK_FRAME);
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(uploads).toEqual([]);
  expect(run.outputs).toEqual({});
  expect(halfInstalled(d.toolCache)).toEqual([]);
}

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  parseDirs = runnerDirs('bad input');
  cargoDirs = runnerDirs('bad cargo');
  fillWorkspace(parseDirs);
  fillWorkspace(cargoDirs);
});

afterAll(async () => {
  await server.close();
});

describe('refused while parsing the inputs', () => {
  beforeAll(async () => {
    const base = { target: 'pi4', 'working-directory': 'hello', 'rust-toolchain': RUST_TOOLCHAIN };
    const results = await pool(
      PARSE_CASES.map((c) => () => outcome({ ...base, ...c.inputs }, parseDirs)),
      3,
    );
    PARSE_CASES.forEach((c, i) => parseOutcomes.set(c.what, results[i] as Outcome));
  }, 180_000);

  test.each(PARSE_CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    expectCleanFailure(c, parseOutcomes.get(c.what), parseDirs);
  });

  test('nothing was downloaded, unpacked or written to the runner directories', () => {
    expect(server.hits.size).toBe(0);
    expect(fs.readdirSync(parseDirs.toolCache)).toEqual([]);
    expect(fs.readdirSync(parseDirs.temp)).toEqual([]);
  });
});

describe('refused by cargo, with the real toolchain', () => {
  let dedup: Outcome;
  let unicode: Outcome;

  beforeAll(async () => {
    // Alone first: it downloads the toolchain into the shared tool cache.
    dedup = await outcome(
      buildInputs({ target: 'pi4, pi4, pi3', upload: 'false' }),
      ownTemp(cargoDirs),
    );
    const jobs = [
      () =>
        outcome(
          buildInputs({ 'working-directory': 'crätes/hëllo wörld', upload: 'false' }),
          ownTemp(cargoDirs),
        ),
      ...CARGO_CASES.map((c) => () => outcome(buildInputs(c.inputs), ownTemp(cargoDirs))),
    ];
    const [u, ...bad] = await pool(jobs, 2);
    unicode = u as Outcome;
    CARGO_CASES.forEach((c, i) => cargoOutcomes.set(c.what, bad[i] as Outcome));
  }, 300_000);

  test("duplicate targets ('pi4, pi4, pi3') build one aarch64 target, no error", () => {
    const r = dedup.run;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs.targets).toBe('aarch64-unknown-linux-gnu');
    const bins = JSON.parse(r.outputs.binaries as string) as { target: string }[];
    expect(bins.map((b) => b.target)).toEqual(['aarch64-unknown-linux-gnu']);
    expect(r.stdout).toContain('Targets: aarch64-unknown-linux-gnu (pi4, pi3)');
    const cargoLine = r.stdout
      .split('\n')
      .find((l) => l.startsWith(`cargo +${RUST_TOOLCHAIN} build`));
    expect(cargoLine?.match(/--target /g)).toHaveLength(1);
    // The oldest CPU among the boards, so the proof holds for the Pi 3 too.
    expect(r.exported.CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER).toContain('-cpu cortex-a53');
    expect(server.hits.get(`/${a64.file}`)).toBe(1);
  });

  test('a working-directory with spaces and unicode builds', () => {
    const r = unicode.run;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `Compiling pi-hello v0.1.0 (${cargoDirs.workspace}/crätes/hëllo wörld)`,
    );
    const bins = JSON.parse(r.outputs.binaries as string) as { name: string; path: string }[];
    expect(bins.map((b) => b.name)).toEqual(['pi-hello']);
    expect(fs.existsSync(bins[0]?.path as string)).toBe(true);
  });

  test.each(CARGO_CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    expectCleanFailure(c, cargoOutcomes.get(c.what), cargoDirs);
  });

  test('the toolchain was downloaded once and cached complete', () => {
    expect(server.hits.get(`/${a64.file}`)).toBe(1);
    expect(fs.readdirSync(cargoDirs.toolCache)).toHaveLength(1);
    expect(halfInstalled(cargoDirs.toolCache)).toEqual([]);
  });
});
