import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { pool } from '../helpers/pool.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { runnerCommands, type RunnerCommand } from '../helpers/runner-commands.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// Hostile text reaching the log through the bundled action, read back the way the Actions
// runner reads it (stdout and stderr as one stream, split at \r and \n, `::` after leading
// whitespace, `##[` anywhere, stop-commands honoured): none of it may become a command.

let server: FileServer;
let dirs: RunnerDirs;
const a64 = testToolchain('aarch64-linux-gnu');
const runs = new Map<string, ActionRun>();

function inputs(over: Record<string, string>): Record<string, string> {
  return offlineInputs(dirs, {
    target: 'pi4',
    'working-directory': 'hello',
    'toolchain-url': `${server.url}/${a64.file}`,
    'toolchain-sha256': a64.sha256,
    upload: 'false',
    ...over,
  });
}

/** Commands in the log that the action did not issue itself. */
function forged(r: ActionRun): RunnerCommand[] {
  return runnerCommands(r.stdout).filter(
    (c) =>
      !['group', 'endgroup', 'add-matcher', 'stop-commands', 'resume-commands', 'debug'].includes(
        c.name,
      ) && !(c.properties.title ?? '').startsWith('rust-rpi-cross'),
  );
}

const EVIL_DIR = 'crate\n::error title=FAKE::file name ##[error]FAKE-v1';

const registry = () => path.join(dirs.workspace, 'debian-registry.toml');

const CASES: Record<string, () => Record<string, string>> = {
  // A newline inside a quoted word of `args`, and the old `##[` syntax in another.
  args: () =>
    inputs({
      args: `--config '${registry()}' --config "env.RPI_NOTE='''a\n::error title=FAKE::args'''" --config "env.RPI_V1='##[error]FAKE-v1'"`,
    }),
  // The binary's own output, printed after the smoke run.
  smoke: () => inputs({ 'smoke-test': '"ok\r::warning title=FAKE::smoke" "##[warning]FAKE-v1"' }),
  // A build script that writes a command to stderr (cargo forwards it on failure).
  'build script': () => inputs({ 'working-directory': 'evil-build' }),
  // A file name: the crate in a folder whose name holds a newline and a command.
  'file name': () => inputs({ 'manifest-path': `../${EVIL_DIR}/Cargo.toml` }),
  // cargo test's output, printed line by line (the test prints with --nocapture).
  'test output': () =>
    inputs({
      'working-directory': 'evil-test',
      command: 'test',
      args: `--config '${registry()}' -- --nocapture`,
    }),
};

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  dirs = runnerDirs('log injection');
  workspaceWithFixtures(dirs);
  const evil = path.join(dirs.workspace, 'evil-build');
  fs.cpSync(path.join(dirs.workspace, 'hello'), evil, { recursive: true });
  fs.writeFileSync(
    path.join(evil, 'build.rs'),
    'fn main() {\n    eprintln!("::error title=FAKE::build script\\n  ##[error]FAKE-v1");\n    panic!("FAKE-panic");\n}\n',
  );
  fs.cpSync(path.join(dirs.workspace, 'hello'), path.join(dirs.workspace, EVIL_DIR), {
    recursive: true,
  });
  const evilTest = path.join(dirs.workspace, 'evil-test');
  fs.cpSync(path.join(dirs.workspace, 'hello'), evilTest, { recursive: true });
  fs.appendFileSync(
    path.join(evilTest, 'src', 'main.rs'),
    '\n#[test]\nfn prints() {\n    println!("::warning title=FAKE::test\\r##[error]FAKE-v1");\n}\n',
  );
  const names = Object.keys(CASES);
  // The first alone: it installs the toolchain into the shared tool cache.
  runs.set(
    names[0] as string,
    await runAction(CASES[names[0] as string]!(), dirs, {}, { mergeStreams: true }),
  );
  const rest = await pool(
    names
      .slice(1)
      .map(
        (n) => () =>
          runAction(
            CASES[n]!(),
            { ...dirs, temp: fs.mkdtempSync(path.join(dirs.root, 'temp ')) },
            {},
            { mergeStreams: true },
          ),
      ),
    2,
  );
  names.slice(1).forEach((n, i) => runs.set(n, rest[i] as ActionRun));
}, 400_000);

afterAll(async () => {
  await server.close();
});

describe('no workflow command can be forged through the log', () => {
  test('a file name with a newline, echoed in the cargo command', () => {
    const r = runs.get('file name') as ActionRun;
    // cargo itself cannot build there (the ':' breaks LD_LIBRARY_PATH): its refusal is the one error.
    expect(r.errors).toEqual([expect.stringContaining('failed to join paths')]);
    expect(forged(r)).toEqual([]);
    expect(r.stdout).toContain(
      `--manifest-path $'${dirs.workspace}/${EVIL_DIR.replace('\n', '\\n').replace('##[', '#\\x23[')}/Cargo.toml'`,
    );
  });

  test("cargo test's output", () => {
    const r = runs.get('test output') as ActionRun;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('test prints ... ');
    expect(forged(r)).toEqual([]);
  });

  test('a newline in a quoted args word: the echoed cargo command stays one quoted line', () => {
    const r = runs.get('args') as ActionRun;
    expect(r.code).toBe(0);
    expect(forged(r)).toEqual([]);
    expect(r.stdout.split('\n').some((l) => l.startsWith('::error title=FAKE'))).toBe(false);
    expect(r.stdout).toContain(
      `--config $'env.RPI_NOTE=\\'\\'\\'a\\n::error title=FAKE::args\\'\\'\\''`,
    );
  });

  test("a binary's smoke-run output (a \\r, and ##[ mid-line)", () => {
    const r = runs.get('smoke') as ActionRun;
    expect(r.code).toBe(0);
    expect(forged(r)).toEqual([]);
    expect(r.stdout).toMatch(
      /smoke run pi-hello .*args=ok\\r::warning title=FAKE::smoke,##\\\[warning\]FAKE-v1/,
    );
  });

  test("a build script's stderr forwarded by cargo", () => {
    const r = runs.get('build script') as ActionRun;
    expect(r.code).toBe(1);
    expect(forged(r)).toEqual([]);
    // The real failure is still one annotation, carrying the script's panic.
    const errors = runnerCommands(r.stdout).filter((c) => c.name === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.properties.title).toBe('rust-rpi-cross: build');
    expect(errors[0]?.data).toContain('FAKE-panic');
  });
});
