import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { elfCorpus, type CorpusName } from '../helpers/elf-corpus.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type RunnerDirs } from '../helpers/run-action.js';
import { runCli } from '../helpers/run-cli.js';
import { runnerCommands } from '../helpers/runner-commands.js';
import { FIXTURES, RUST_TOOLCHAIN, TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// The bundled CLI (dist/cli/index.js) on the offline test bed: Debian's Rust as
// --rust-toolchain, the Debian-built toolchain tarball from a loopback server as
// --toolchain-url, real cargo, real qemu.

let server: FileServer;
let dirs: RunnerDirs;
let env: NodeJS.ProcessEnv;
let xdg: string;
/** The CLI runs' TMPDIR (without spaces, so the runner links are made inside it too). */
let tmp: string;
const multi = testToolchain('pi-multi');
const EPOCH = '1700000000';

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The flags every offline run needs, as offlineInputs gives the action its inputs. */
function offline(d: RunnerDirs = dirs): string[] {
  return Object.entries({
    ...offlineInputs(d, {}),
    'toolchain-url': `${server.url}/${multi.file}`,
    'toolchain-sha256': multi.sha256,
  })
    .filter(([k]) => k !== 'cache')
    .map(([k, v]) => `--${k}=${v}`);
}

function cliEnv(cache: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUSTUP_HOME: process.env.RUSTUP_HOME,
    CARGO_HOME: process.env.CARGO_HOME,
    XDG_CACHE_HOME: cache,
    NO_PROXY: '127.0.0.1,localhost',
    SOURCE_DATE_EPOCH: EPOCH,
    TMPDIR: tmp,
  };
}

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  dirs = runnerDirs('cli');
  workspaceWithFixtures(dirs);
  xdg = path.join(dirs.root, 'xdg cache');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-cli-tmp-'));
  env = cliEnv(xdg);
});
afterAll(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface JsonBinary {
  target: string;
  name: string;
  builtPath: string;
  sha256: string;
  verdict: string;
}

describe('build', () => {
  test('pi4,pi2: the table, archives and SHA256SUMS in target/rpi-cross/, binaries that run under qemu', async () => {
    const crate = path.join(dirs.workspace, 'hello-c');
    const r = await runCli(['build', '--target', 'pi4,pi2', '--smoke-test=x', ...offline()], {
      cwd: crate,
      env,
    });
    expect(r.stderr).not.toMatch(/rust-rpi-cross build: /);
    expect(r.code).toBe(0);
    expect(server.hits.get(`/${multi.file}`)).toBe(1);
    // Not a terminal: the download's progress as four plain lines, no bar, no redraws.
    const progress = r.stderr.split('\n').filter((l) => l.startsWith(`${multi.file}: `));
    expect(progress.map((l) => /\((\d+)%\)/.exec(l)?.[1])).toEqual(['25', '50', '75', '100']);
    expect(progress[3]).toMatch(/ \d+\.\d\/\d+\.\d MiB \(100%\) \d+\.\d MiB\/s$/);
    expect(r.stderr).not.toContain('\r');
    const rows = r.stdout.split('\n');
    expect(rows[0]).toMatch(/^board +triple +binary +size +glibc \(floor\) +verdict +smoke run$/);
    expect(rows[1]).toMatch(
      /^pi4 +aarch64-unknown-linux-gnu +pi-hello-c +\d+ KiB +2\.34 \(2\.36\) +passed +ok: pi-hello-c rust_arch=aarch64 c_arch=aarch64/,
    );
    expect(rows[2]).toMatch(
      /^pi2 +armv7-unknown-linux-gnueabihf +pi-hello-c +\d+ KiB +2\.34 \(2\.36\) +passed +ok: pi-hello-c rust_arch=arm c_arch=armv7-a/,
    );
    // Not a TTY: no colour codes in what a script reads.
    expect(r.stdout).not.toContain('\x1b[');
    const out = path.join(crate, 'target', 'rpi-cross');
    const files = fs.readdirSync(out).sort();
    expect(files).toEqual([
      'SHA256SUMS',
      'pi-hello-c-0.1.0-aarch64-unknown-linux-gnu.tar.gz',
      'pi-hello-c-0.1.0-aarch64-unknown-linux-gnu.tar.gz.sha256',
      'pi-hello-c-0.1.0-armv7-unknown-linux-gnueabihf.tar.gz',
      'pi-hello-c-0.1.0-armv7-unknown-linux-gnueabihf.tar.gz.sha256',
    ]);
    const sums = fs.readFileSync(path.join(out, 'SHA256SUMS'), 'utf8');
    for (const f of files.filter((x) => x.endsWith('.tar.gz')))
      expect(sums).toContain(`${sha(path.join(out, f))}  ${f}`);
    // Nothing of the run is left in TMPDIR: the results are in target/.
    expect(fs.readdirSync(tmp)).toEqual([]);
    // Local state is in the user's cache dir, never in the repository.
    expect(fs.readdirSync(path.join(xdg, 'rust-rpi-cross', 'tool-cache')).length).toBeGreaterThan(
      0,
    );
    expect(fs.readdirSync(dirs.workspace).sort()).toEqual([
      'debian-registry.toml',
      'hello',
      'hello-c',
    ]);
    expect(fs.readdirSync(crate).sort()).toEqual(
      [...fs.readdirSync(path.join(FIXTURES, 'hello-c')), 'target'].sort(),
    );
    // The binaries cargo made run under qemu with each board's CPU.
    const tc = fs.readdirSync(path.join(xdg, 'rust-rpi-cross', 'tool-cache'));
    expect(tc).toHaveLength(1);
    const run = (triple: string, qemu: string, cpu: string, sysroot: string) => {
      const root = execFileSync(
        'find',
        [
          path.join(xdg, 'rust-rpi-cross', 'tool-cache'),
          '-maxdepth',
          '4',
          '-type',
          'd',
          '-name',
          sysroot,
        ],
        { encoding: 'utf8' },
      ).trim();
      return execFileSync(
        qemu,
        ['-cpu', cpu, '-L', root, path.join(crate, 'target', triple, 'release', 'pi-hello-c')],
        { encoding: 'utf8' },
      ).trim();
    };
    expect(
      run('aarch64-unknown-linux-gnu', 'qemu-aarch64-static', 'cortex-a72', 'aarch64-linux-gnu'),
    ).toBe('pi-hello-c rust_arch=aarch64 c_arch=aarch64 mix=fbb53980');
    expect(
      run('armv7-unknown-linux-gnueabihf', 'qemu-arm-static', 'cortex-a7', 'arm-linux-gnueabihf'),
    ).toBe('pi-hello-c rust_arch=arm c_arch=armv7-a mix=fbb53980');
  });

  test('a second build downloads nothing; --json tells the toolchain came from the cache', async () => {
    const before = server.hits.get(`/${multi.file}`);
    const r = await runCli(['build', '--target', 'pi4,pi2', '--json', '--quiet', ...offline()], {
      cwd: path.join(dirs.workspace, 'hello-c'),
      env,
    });
    expect(r.code).toBe(0);
    expect(server.hits.get(`/${multi.file}`)).toBe(before);
    const j = JSON.parse(r.stdout) as {
      ok: boolean;
      binaries: JsonBinary[];
      toolchains: { origin: string }[];
      checksums: string;
    };
    expect(j.ok).toBe(true);
    expect(j.binaries.map((b) => [b.target, b.verdict])).toEqual([
      ['aarch64-unknown-linux-gnu', 'passed'],
      ['armv7-unknown-linux-gnueabihf', 'passed'],
    ]);
    expect(j.toolchains.map((t) => t.origin)).toEqual(['tool-cache', 'tool-cache']);
    expect(j.checksums).toBe(
      path.join(dirs.workspace, 'hello-c', 'target', 'rpi-cross', 'SHA256SUMS'),
    );
    // --quiet: none of the stage log, only what cargo itself says.
    expect(r.stderr).not.toMatch(/==> |Targets: /);
  });

  test('the action and the CLI given the same inputs make the same binaries and archives', async () => {
    const a = runnerDirs('cli-vs-action');
    workspaceWithFixtures(a);
    const action = await runAction(
      offlineInputs(a, {
        target: 'pi4',
        'working-directory': 'hello',
        'toolchain-url': `${server.url}/${multi.file}`,
        'toolchain-sha256': multi.sha256,
        upload: 'false',
      }),
      a,
      { SOURCE_DATE_EPOCH: EPOCH },
    );
    expect(action.errors).toEqual([]);
    const c = runnerDirs('cli-vs-cli');
    workspaceWithFixtures(c);
    const cli = await runCli(['build', '--target', 'pi4', '--json', ...offline(c)], {
      cwd: path.join(c.workspace, 'hello'),
      env: cliEnv(path.join(c.root, 'cache')),
    });
    expect(cli.code).toBe(0);
    const fromAction = JSON.parse(action.outputs.binaries as string) as { sha256: string }[];
    const fromCli = (JSON.parse(cli.stdout) as { binaries: JsonBinary[] }).binaries;
    expect(fromCli.map((b) => b.sha256)).toEqual(fromAction.map((b) => b.sha256));
    const archive = (p: string) => sha(p);
    const actionArchive = (action.outputs.archives as string).split('\n')[0] as string;
    const cliArchive = (JSON.parse(cli.stdout) as { archives: string[] }).archives[0] as string;
    expect(path.basename(cliArchive)).toBe(path.basename(actionArchive));
    expect(archive(cliArchive)).toBe(archive(actionArchive));
  });
  test('a binary that fails verification: the table says FAILED, the reason on stderr, exit 1, nothing packaged', async () => {
    const crate = path.join(dirs.workspace, 'hello');
    fs.rmSync(path.join(crate, 'target', 'rpi-cross'), { recursive: true, force: true });
    const flags = offline().map((f) => (f.startsWith('--pi-os=') ? '--pi-os=bullseye' : f));
    const r = await runCli(['build', '--target', 'pi4', ...flags], { cwd: crate, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^pi4 +aarch64-unknown-linux-gnu +pi-hello +\d+ KiB +2\.34 \(2\.31\) +FAILED/m,
    );
    expect(r.stderr).toMatch(
      /^rust-rpi-cross build: binary verification failed, nothing was packaged or uploaded \(--verify warn ships anyway\):$/m,
    );
    expect(r.stderr).toMatch(/GLIBC_2\.34/);
    expect(fs.existsSync(path.join(crate, 'target', 'rpi-cross'))).toBe(false);
  });
});

describe('env', () => {
  test("after eval, a plain cargo build and cargo run in the user's shell run under qemu with the board's CPU", async () => {
    const crate = path.join(dirs.workspace, 'hello');
    const flags = offline().filter((f) => !f.startsWith('--args='));
    const r = await runCli(['env', '--target', 'pi4', ...flags], { cwd: crate, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/m);
    expect(r.stdout).toMatch(new RegExp(`^export RUSTUP_TOOLCHAIN=${RUST_TOOLCHAIN}$`, 'm'));
    // The exported runner's links stay for the user's shell, in a run directory of TMPDIR.
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('rust-rpi-cross-'))).toHaveLength(1);
    // The shell evaluates exactly what the CLI printed; paths reach it as arguments, not code.
    const script = [
      'eval "$(cat "$1")"',
      'echo "runner=$CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER"',
      'cargo build -q --release --target aarch64-unknown-linux-gnu --config "$2"',
      'cargo run -q --release --target aarch64-unknown-linux-gnu --config "$2" -- x y',
    ].join(' && ');
    const exports = path.join(dirs.root, 'exports.sh');
    fs.writeFileSync(exports, r.stdout);
    const out = execFileSync(
      'sh',
      ['-c', script, 'sh', exports, path.join(dirs.workspace, 'debian-registry.toml')],
      { cwd: crate, env: { PATH: env.PATH, HOME: env.HOME }, encoding: 'utf8' },
    );
    expect(out).toMatch(/^runner=\S*qemu-aarch64(-static)? -cpu cortex-a72 -L \S+$/m);
    expect(out).toContain('pi-hello arch=aarch64 fact10=3628800 unwind=true args=x,y');
    expect(
      fs.existsSync(path.join(crate, 'target', 'aarch64-unknown-linux-gnu', 'release', 'pi-hello')),
    ).toBe(true);
  });
});

describe('run', () => {
  test("builds, then runs the binary under qemu with the board's CPU and the given arguments", async () => {
    const r = await runCli(
      ['run', '--target', 'pi-zero-2', ...offline(), '--', 'one', 'two words'],
      {
        cwd: path.join(dirs.workspace, 'hello'),
        env,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pi-hello arch=aarch64 fact10=3628800 unwind=true args=one,two words\n');
    expect(r.stderr).toMatch(/Running pi-hello under qemu-aarch64 -cpu cortex-a53/);
  });

  test('without qemu-user on the host: says so and what to do, exit 1, nothing built', async () => {
    // A PATH with everything of this host's but qemu.
    const bin = path.join(dirs.root, 'no-qemu-bin');
    fs.mkdirSync(bin, { recursive: true });
    for (const dir of (env.PATH ?? '').split(':')) {
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir)) {
        if (f.startsWith('qemu-') || fs.existsSync(path.join(bin, f))) continue;
        fs.symlinkSync(path.join(dir, f), path.join(bin, f));
      }
    }
    const r = await runCli(['run', '--target', 'pi4', ...offline()], {
      cwd: path.join(dirs.workspace, 'hello'),
      env: { ...env, PATH: bin },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /rust-rpi-cross run: no qemu-aarch64 \(qemu-user\) on this host to run aarch64-unknown-linux-gnu binaries: install qemu-user-static/,
    );
    expect(r.stderr).not.toMatch(/==> Build/);
  });
});

describe('verify', () => {
  // Each case of the bad-binary corpus: the board it claims to be for, and the headline.
  const CASES: [CorpusName, string, string | null, string][] = [
    [
      'armhf-bare-ld',
      'pi2',
      'bookworm',
      'no start files: set the linker to the gcc driver, not ld',
    ],
    [
      'aarch64-bare-ld-e-main',
      'pi4',
      'bookworm',
      'no start files: set the linker to the gcc driver, not ld',
    ],
    ['armv7-good', 'pi-zero', 'bookworm', 'ARMv7 instructions in an ARMv6 binary'],
    ['armv6-attributes-lie', 'pi-zero', 'bookworm', 'ARMv7 instructions in an ARMv6 binary'],
    ['aarch64-good', 'pi4', 'bullseye', 'needs a newer glibc than the Pi OS floor'],
    ['armel-soft-float', 'pi2', 'bookworm', 'soft-float ABI: Pi OS is hard-float (armhf)'],
    ['armhf-entry-0x4', 'pi2', 'bookworm', 'entry point outside the code'],
    ['armhf-object', 'pi2', 'bookworm', 'not an executable'],
    ['aarch64-good', 'pi4:musl', null, 'musl binary that is not static'],
    ['armv7m-microcontroller', 'pi2', 'bookworm', 'microcontroller (M-profile) code, not for a Pi'],
    ['x86_64-host', 'pi4', 'bookworm', 'code for another machine'],
    ['armv7-truncated', 'pi2', 'bookworm', 'not a valid ELF file'],
    ['not-elf', 'pi2', 'bookworm', 'not a valid ELF file'],
  ];

  test.each(CASES)('%s for %s (%s): "%s", exit 1', async (name, target, piOs, headline) => {
    const file = elfCorpus()[name];
    const r = await runCli(
      ['verify', file, '--target', target, ...(piOs ? ['--pi-os', piOs] : [])],
      {
        cwd: dirs.workspace,
        env,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`error: ${headline}\n`);
    expect(r.stdout).toContain(`${file}: FAILED for `);
  });

  test.each([
    ['aarch64-good', 'pi4', 'bookworm'],
    ['armv6-freestanding', 'pi-zero', 'bullseye'],
  ] as const)('%s for %s (%s) passes, exit 0', async (name, target, piOs) => {
    const file = elfCorpus()[name];
    const r = await runCli(['verify', file, '--target', target, '--pi-os', piOs], {
      cwd: dirs.workspace,
      env,
    });
    expect(r.stdout).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}: passed for `);
  });

  test('--json gives the findings to a script', async () => {
    const r = await runCli(['verify', elfCorpus()['armhf-bare-ld'], '--target', 'pi2', '--json'], {
      cwd: dirs.workspace,
      env,
    });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { ok: boolean; findings: { code: string }[] };
    expect(j.ok).toBe(false);
    expect(j.findings.map((f) => f.code)).toContain('no-start-files');
  });
});

describe('bad flags and values', () => {
  test.each([
    [
      ['build', '--target', 'pi4', '--pi-os', 'jessie'],
      /^rust-rpi-cross build: --pi-os: 'jessie' is not one of 'buster', 'bullseye', 'bookworm', 'trixie'$/,
    ],
    [
      ['build', '--tagret', 'pi4'],
      /^rust-rpi-cross build: unknown flag '--tagret': did you mean --target\?/,
    ],
    [['build', '--target', 'pi9'], /^rust-rpi-cross build: --target: unknown target 'pi9'/],
    [
      ['build', '--target', 'pi4', '--linker', 'mold'],
      /^rust-rpi-cross build: --linker: 'mold' is not one of 'auto', 'gcc', 'zig', 'rust-lld'$/,
    ],
    [
      ['build', '--target', 'pi4', '--smoke-test-timeout', '0'],
      /^rust-rpi-cross build: --smoke-test-timeout: '0' is not a number of seconds/,
    ],
    [
      ['build', '--target', 'pi4', '--upload'],
      /^rust-rpi-cross build: --upload is an input of the GitHub Action only/,
    ],
    [
      ['build', '--target', 'pi4', '--toolchain-sha256', 'ab'],
      /^rust-rpi-cross build: --toolchain-sha256: only applies with 'toolchain-url'/,
    ],
    [['verify', '--target', 'pi4'], /^rust-rpi-cross verify: give exactly one FILE/],
    [
      ['verify', 'nothing-here', '--target', 'pi4'],
      /^rust-rpi-cross verify: FILE '.*nothing-here' does not exist/,
    ],
    [
      ['env', '--target', 'pi4', '--shell', 'csh'],
      /^rust-rpi-cross env: --shell 'csh' is not a shell/,
    ],
    [['frobnicate'], /^rust-rpi-cross: unknown command 'frobnicate'/],
  ])('%j: one line, exit 2', async (args, re) => {
    const r = await runCli(args, { cwd: path.join(dirs.workspace, 'hello'), env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(re);
  });

  test('--help for each subcommand comes from the input table', async () => {
    for (const cmd of ['build', 'run', 'env', 'verify']) {
      const r = await runCli([cmd, '--help'], { cwd: dirs.workspace, env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: rust-rpi-cross ${cmd}`);
      expect(r.stdout).toContain(
        '--pi-os VALUE\n      Oldest Raspberry Pi OS the binaries must run on',
      );
    }
    const build = await runCli(['build', '--help'], { cwd: dirs.workspace, env });
    expect(build.stdout).toContain('--strip, --no-strip');
    expect(build.stdout).toContain('(default: {package}-{version}-{target})');
    expect(build.stdout).not.toContain('--upload');
  });
});

describe('local state', () => {
  test('two runs at once on an empty cache dir share it: both succeed, one download', async () => {
    const cache = path.join(dirs.root, 'shared cache');
    const hits = server.hits.get(`/${multi.file}`) ?? 0;
    const flags = offline().filter((f) => !f.startsWith('--args='));
    const both = await Promise.all(
      ['pi4', 'pi2'].map((t) =>
        runCli(['env', '--target', t, ...flags], {
          cwd: path.join(dirs.workspace, 'hello'),
          env: cliEnv(cache),
        }),
      ),
    );
    expect(both.map((r) => r.code)).toEqual([0, 0]);
    expect(server.hits.get(`/${multi.file}`)).toBe(hits + 1);
    const linker = (r: { stdout: string }) =>
      /^export CARGO_TARGET_\w+_LINKER='([^']+)'$/m.exec(r.stdout)?.[1] as string;
    for (const r of both) expect(fs.existsSync(linker(r))).toBe(true);
  });
});

describe('inside a workflow step', () => {
  test("a build script's hostile stderr in the failure message forges no workflow command", async () => {
    const evil = path.join(dirs.workspace, 'evil-build');
    fs.cpSync(path.join(dirs.workspace, 'hello'), evil, { recursive: true });
    fs.rmSync(path.join(evil, 'target'), { recursive: true, force: true });
    fs.writeFileSync(
      path.join(evil, 'build.rs'),
      'fn main() {\n    eprintln!("::error title=FAKE::build script\\n  ##[error]FAKE-v1");\n    panic!("FAKE-panic");\n}\n',
    );
    const r = await runCli(['build', '--target', 'pi4', ...offline()], {
      cwd: evil,
      env: { ...env, GITHUB_ACTIONS: 'true' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rust-rpi-cross build: /m);
    expect(r.stderr).toContain('FAKE-panic');
    const forged = [...runnerCommands(r.stdout), ...runnerCommands(r.stderr)].filter(
      (c) => c.name !== 'stop-commands' && c.name !== 'resume-commands',
    );
    expect(forged).toEqual([]);
  });
});
