import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { pool } from '../helpers/pool.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { runnerCommands } from '../helpers/runner-commands.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// What cargo built, as cargo says it, through the bundled action with the real toolchain: the
// right binary under the right name and target, and failures that point at the cause.

interface Binary {
  target: string;
  name: string;
  path: string;
}

let server: FileServer;
let dirs: RunnerDirs;
const multi = testToolchain('pi-multi');
const runs = new Map<string, ActionRun>();

const A64 = 'aarch64-unknown-linux-gnu';
const V7 = 'armv7-unknown-linux-gnueabihf';

function write(rel: string, text: string): void {
  const p = path.join(dirs.workspace, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
}

const main = (says: string) => `fn main() {\n    println!("${says}");\n}\n`;
const pkg = (name: string, extra = '') =>
  `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${extra}`;

function fillWorkspace(): void {
  workspaceWithFixtures(dirs);
  // Two packages, each with a bin named `app`.
  write('twins/Cargo.toml', '[workspace]\nmembers = ["a", "b"]\nresolver = "2"\n');
  for (const p of ['a', 'b']) {
    write(
      `twins/${p}/Cargo.toml`,
      pkg(`pkg-${p}`, '\n[[bin]]\nname = "app"\npath = "src/main.rs"\n'),
    );
    write(`twins/${p}/src/main.rs`, main(`I am pkg-${p}`));
  }
  // The crate inside a folder named like the armv7 triple.
  fs.cpSync(path.join(dirs.workspace, 'hello'), path.join(dirs.workspace, V7, 'hello'), {
    recursive: true,
  });
  // A build script that fails with a reason.
  fs.cpSync(path.join(dirs.workspace, 'hello'), path.join(dirs.workspace, 'bad-build'), {
    recursive: true,
  });
  write(
    'bad-build/build.rs',
    'fn main() {\n    panic!("libfoo was not found: install libfoo-dev");\n}\n',
  );
  // Bins with required-features: one besides a plain bin, and one alone.
  const extra =
    '\n[features]\nextra = []\n\n[[bin]]\nname = "extra-tool"\npath = "src/extra.rs"\nrequired-features = ["extra"]\n';
  write('req/Cargo.toml', pkg('req', extra));
  write('req/src/main.rs', main('req'));
  write('req/src/extra.rs', main('extra'));
  write('req-only/Cargo.toml', pkg('req-only', `autobins = false\n${extra}`));
  write('req-only/src/extra.rs', main('extra'));
}

function inputs(over: Record<string, string>): Record<string, string> {
  return offlineInputs(dirs, {
    target: 'pi4',
    'toolchain-url': `${server.url}/${multi.file}`,
    'toolchain-sha256': multi.sha256,
    upload: 'false',
    ...over,
  });
}

const CASES: Record<string, Record<string, string>> = {
  'triple-named folder': { target: 'pi2, pi4', 'working-directory': `${V7}/hello` },
  twins: { 'working-directory': 'twins' },
  'build script': { 'working-directory': 'bad-build' },
  'required-features beside a plain bin': { 'working-directory': 'req' },
  'required-features only': { 'working-directory': 'req-only' },
  'required-features enabled': { 'working-directory': 'req', features: 'extra' },
};

const ownTemp = (): RunnerDirs => ({
  ...dirs,
  temp: fs.mkdtempSync(path.join(dirs.root, 'temp ')),
});

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  dirs = runnerDirs('cargo results');
  fillWorkspace();
  const names = Object.keys(CASES);
  // The first alone: it installs the toolchain into the shared tool cache.
  runs.set(names[0] as string, await runAction(inputs(CASES[names[0] as string]!), ownTemp()));
  const rest = await pool(
    names.slice(1).map((n) => () => runAction(inputs(CASES[n]!), ownTemp())),
    2,
  );
  names.slice(1).forEach((n, i) => runs.set(n, rest[i] as ActionRun));
}, 600_000);

afterAll(async () => {
  await server.close();
});

const bins = (r: ActionRun) => JSON.parse(r.outputs.binaries ?? '[]') as Binary[];

describe('the target of each binary comes from cargo', () => {
  test(`a workspace folder named ${V7} with 'pi2, pi4': each binary under its own triple`, () => {
    const r = runs.get('triple-named folder') as ActionRun;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const got = bins(r).map((b) => [b.target, path.basename(path.dirname(b.path))]);
    expect(got).toEqual([
      [V7, V7],
      [A64, A64],
    ]);
    expect(r.stdout).toMatch(new RegExp(`${A64}/pi-hello: passed \\(aarch64`));
    expect(r.stdout).toMatch(new RegExp(`${V7}/pi-hello: passed \\(arm`));
  });
});

describe('two packages with a bin of the same name', () => {
  test('are refused, naming both packages and the package/bin inputs; nothing is shipped', () => {
    const r = runs.get('twins') as ActionRun;
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/packages 'pkg-a' and 'pkg-b' both have a bin named 'app'/);
    expect(r.errors[0]).toMatch(/set the 'package' input \(e\.g\. 'package: pkg-a'\)/);
    expect(r.errors[0]).toMatch(/'bin'/);
    expect(r.outputs).toEqual({});
  });
});

describe('a failing build script', () => {
  test("the annotation carries the script's panic, not only cargo's one line", () => {
    const r = runs.get('build script') as ActionRun;
    expect(r.code).toBe(1);
    const errors = runnerCommands(r.stdout).filter((c) => c.name === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.properties.title).toBe('rust-rpi-cross: build');
    expect(errors[0]?.data).toMatch(/failed to run custom build command for `pi-hello/);
    expect(errors[0]?.data).toMatch(
      /build script stderr:\n.*panicked at build\.rs:2:5:\n\s+libfoo was not found: install libfoo-dev/,
    );
  });
});

describe('bins with required-features', () => {
  test('one left out beside a plain bin: a warning names the feature that builds it', () => {
    const r = runs.get('required-features beside a plain bin') as ActionRun;
    expect(r.code).toBe(0);
    expect(bins(r).map((b) => b.name)).toEqual(['req']);
    const warnings = runnerCommands(r.stdout).filter((c) => c.name === 'warning');
    expect(warnings.map((w) => w.data)).toContainEqual(
      expect.stringMatching(
        /bin 'extra-tool' of package 'req' needs the feature 'extra' .*add 'features: extra'/,
      ),
    );
  });
  test('the only bin left out: the error names the feature instead of "needs a [[bin]]"', () => {
    const r = runs.get('required-features only') as ActionRun;
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(
      /cargo built no binaries for aarch64-unknown-linux-gnu: bin 'extra-tool' of package 'req-only' needs the feature 'extra'.*add 'features: extra'/,
    );
  });
  test('with the feature on, both are built and nothing is said', () => {
    const r = runs.get('required-features enabled') as ActionRun;
    expect(r.code).toBe(0);
    expect(
      bins(r)
        .map((b) => b.name)
        .sort(),
    ).toEqual(['extra-tool', 'req']);
    expect(runnerCommands(r.stdout).filter((c) => c.name === 'warning')).toEqual([]);
  });
});

describe('args that conflict with what the action sets', () => {
  test.each([
    [
      '--target x86_64-unknown-linux-gnu',
      /must not contain --target: .*; use the 'target' input instead/,
    ],
    ['--release', /must not contain --release: .*; use the 'profile' input instead/],
    ['--message-format=json', /must not contain --message-format \(as '--message-format=json'\)/],
    ['-p pkg-a', /must not contain --package \(as '-p'\): .*; use the 'package' input instead/],
  ])('%s is refused up front, naming args and the input to use', async (args, says) => {
    const r = await runAction(
      { target: 'pi4', 'working-directory': 'hello', args },
      { ...dirs, temp: fs.mkdtempSync(path.join(dirs.root, 'temp ')) },
    );
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^input 'args': /);
    expect(r.errors[0]).toMatch(says);
    // Before anything: no cargo run, no download.
    expect(r.stdout).not.toMatch(/^cargo /m);
  });
});
