import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';
import { pool } from '../helpers/pool.js';

// A hostile or unusual repository and hostile toolchain archives, through the bundled action:
// every path from an input must stay inside the place it is documented relative to, and an
// archive must unpack to a toolchain of its own, whatever its sha256 says.

const a64 = testToolchain('aarch64-linux-gnu');
const STACK_FRAME = /^\s+at\s.*:\d+:\d+\)?\s*$/m;

let server: FileServer;
let served: string;
let d: RunnerDirs;
/** A file outside the workspace that must never reach an archive. */
let secret: string;

/** Every file under the tool cache (a refused toolchain leaves none, and no `.complete`). */
function toolCacheFiles(toolCache: string): string[] {
  return (fs.readdirSync(toolCache, { recursive: true }) as string[]).filter(
    (f) => !fs.lstatSync(path.join(toolCache, f)).isDirectory(),
  );
}

/** Exit 1, one `::error::` naming `input`, no stack, nothing built, cached or written. */
function expectRefused(r: ActionRun, input: string, says: RegExp, dirs: RunnerDirs = d): void {
  expect(r.errors).toHaveLength(1);
  const message = r.errors[0] as string;
  expect(message.startsWith(`input '${input}': `)).toBe(true);
  expect(message).toMatch(says);
  expect(r.stdout).toMatch(new RegExp(`^::error title=rust-rpi-cross%3A ${input}::`, 'm'));
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toContain('Compiling');
  expect(r.outputs).toEqual({});
  expect(toolCacheFiles(dirs.toolCache)).toEqual([]);
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Packs `make(tcDir)`'s tree as `<name>` (tar.gz or zip) into the served directory. */
function hostileArchive(name: string, make: (tc: string) => void): { url: string; sha: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-hostile-'));
  const tc = path.join(work, 'tc');
  make(tc);
  const out = path.join(served, name);
  if (name.endsWith('.zip')) {
    execFileSync('zip', ['-q', '-r', '--symlinks', out, 'tc'], { cwd: work });
  } else {
    execFileSync('tar', ['-czf', out, '-C', work, 'tc']);
  }
  fs.rmSync(work, { recursive: true, force: true });
  return { url: `${server.url}/${name}`, sha: sha256(out) };
}

/** A toolchain dir whose driver and sysroot look right: bin/aarch64-linux-gnu-gcc + loader. */
function fakeToolchain(tc: string, driver: (gcc: string) => void): void {
  fs.mkdirSync(path.join(tc, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(tc, 'aarch64-linux-gnu', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(tc, 'aarch64-linux-gnu', 'lib', 'ld-linux-aarch64.so.1'), '');
  driver(path.join(tc, 'bin', 'aarch64-linux-gnu-gcc'));
}

beforeAll(async () => {
  served = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-confine-served-'));
  server = await startFileServer(served);
  fs.symlinkSync(path.join(TOOLCHAIN_DIR, a64.file), path.join(served, a64.file));
  d = runnerDirs('confine');
  workspaceWithFixtures(d);
  secret = path.join(d.root, 'secret.txt');
  fs.writeFileSync(secret, 'not for the archive\n');
  const hello = path.join(d.workspace, 'hello');
  fs.symlinkSync(secret, path.join(hello, 'notes.txt'));
  fs.symlinkSync(d.root, path.join(d.workspace, 'up'));
  fs.symlinkSync('loop-b', path.join(d.workspace, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(d.workspace, 'loop-b'));
  fs.mkdirSync(path.join(d.root, 'elsewhere'));
  fs.copyFileSync(path.join(hello, 'Cargo.toml'), path.join(d.root, 'elsewhere', 'Cargo.toml'));
  fs.symlinkSync(path.join(d.root, 'elsewhere', 'Cargo.toml'), path.join(hello, 'Other.toml'));
  fs.mkdirSync(path.join(hello, 'docs'));
  fs.writeFileSync(path.join(hello, 'docs', 'a.md'), 'a\n');
});

afterAll(async () => {
  await server.close();
});

interface Case {
  what: string;
  inputs: Record<string, string>;
  input: string;
  says: RegExp;
}

const OUTSIDE = /outside the workspace/;

/** Refused while the inputs are parsed: before rustc, the download and the build. */
const PATH_CASES: Case[] = [
  {
    what: 'include climbing out with ..',
    inputs: { include: '../../../../../../../../etc/passwd' },
    input: 'include',
    says: /'\.\.\/\.\.\/.*etc\/passwd' resolves to '\/etc\/passwd', outside the workspace/,
  },
  {
    what: 'include of an absolute host path',
    inputs: { include: 'Cargo.toml, /etc/passwd' },
    input: 'include',
    says: /'\/etc\/passwd' resolves to '\/etc\/passwd', outside the workspace/,
  },
  {
    what: 'include of a repository symlink to a host file',
    inputs: { include: 'notes.txt' },
    input: 'include',
    says: /'notes\.txt' resolves to '.*secret\.txt', outside the workspace/,
  },
  {
    what: 'include of a directory',
    inputs: { include: 'docs' },
    input: 'include',
    says: /'docs' is a directory; directories are not packed: list the files in it one by one/,
  },
  {
    what: 'include of a glob',
    inputs: { include: 'docs/*.md' },
    input: 'include',
    says: /'docs\/\*\.md' looks like a glob; globs are not expanded: list each file/,
  },
  {
    what: 'include of a missing file',
    inputs: { include: 'CHANGES.md' },
    input: 'include',
    says: /'CHANGES\.md' not found; paths are relative to 'working-directory'/,
  },
  {
    what: 'working-directory above the workspace',
    inputs: { 'working-directory': '..' },
    input: 'working-directory',
    says: OUTSIDE,
  },
  {
    what: 'working-directory through a symlink out of the workspace',
    inputs: { 'working-directory': 'up/elsewhere' },
    input: 'working-directory',
    says: /'up\/elsewhere' resolves to '.*elsewhere', outside the workspace/,
  },
  {
    what: 'working-directory that is a file',
    inputs: { 'working-directory': 'hello/Cargo.toml' },
    input: 'working-directory',
    says: /'hello\/Cargo\.toml' is a file, not a directory; .*'manifest-path'/,
  },
  {
    what: 'working-directory that is a symlink loop',
    inputs: { 'working-directory': 'loop-a' },
    input: 'working-directory',
    says: /'loop-a' is a symlink loop/,
  },
  {
    what: 'manifest-path outside the workspace',
    inputs: { 'manifest-path': '../../elsewhere/Cargo.toml' },
    input: 'manifest-path',
    says: OUTSIDE,
  },
  {
    what: 'manifest-path through a symlink out of the workspace',
    inputs: { 'manifest-path': 'Other.toml' },
    input: 'manifest-path',
    says: /'Other\.toml' resolves to '.*elsewhere\/Cargo\.toml', outside the workspace/,
  },
  {
    what: 'an absolute toolchain-sysroot',
    inputs: { 'toolchain-sysroot': '/usr/aarch64-linux-gnu' },
    input: 'toolchain-sysroot',
    says: /'\/usr\/aarch64-linux-gnu' leaves the toolchain; write a path relative/,
  },
  {
    what: 'a toolchain-sysroot climbing out with ..',
    inputs: { 'toolchain-sysroot': 'a/../../..' },
    input: 'toolchain-sysroot',
    says: /leaves the toolchain/,
  },
  {
    what: 'a toolchain-prefix that is a path',
    inputs: { 'toolchain-prefix': '../../../usr/bin/aarch64-linux-gnu' },
    input: 'toolchain-prefix',
    says: /is not a tool prefix: write the part before '-gcc'/,
  },
];

const LONG = 5000;
/** Oversized values: the error shows 200 characters and the length, not the whole value. */
const LONG_CASES: Case[] = (
  [
    ['target', 'p'.repeat(LONG)],
    ['pi-os', 'b'.repeat(LONG)],
    ['working-directory', 'w'.repeat(LONG)],
    ['include', 'i'.repeat(LONG)],
    ['archive-name', `{${'x'.repeat(LONG - 2)}}`],
    ['profile', `.${'r'.repeat(LONG - 1)}`],
    ['toolchain-url', 'u'.repeat(LONG)],
  ] as const
).map(([input, value]) => ({
  what: `a ${LONG}-character ${input}`,
  inputs: { [input]: value },
  input,
  says: new RegExp(
    `'[^']{0,60}${value.slice(-1).replace('}', 'x')}{150,200}…' \\(${LONG} characters\\)`,
  ),
}));

describe('path inputs stay inside the workspace', () => {
  const outcomes = new Map<string, ActionRun>();
  beforeAll(async () => {
    const all = [...PATH_CASES, ...LONG_CASES];
    const results = await pool(
      all.map(
        (c) => () =>
          runAction(
            offlineInputs(d, {
              target: 'pi4',
              'working-directory': 'hello',
              'toolchain-url': `${server.url}/${a64.file}`,
              'toolchain-sha256': a64.sha256,
              upload: 'false',
              ...c.inputs,
            }),
            d,
          ),
      ),
      3,
    );
    all.forEach((c, i) => outcomes.set(c.what, results[i] as ActionRun));
  }, 240_000);

  test.each(PATH_CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    expectRefused(outcomes.get(c.what) as ActionRun, c.input, c.says);
  });

  test.each(LONG_CASES.map((c) => [c.what, c] as const))('%s is shortened', (_what, c) => {
    const r = outcomes.get(c.what) as ActionRun;
    expectRefused(r, c.input, c.says);
    expect((r.errors[0] as string).length).toBeLessThan(1200);
  });

  test('nothing was downloaded', () => {
    expect(server.hits.size).toBe(0);
  });
});

interface ArchiveCase {
  what: string;
  name: string;
  make: (tc: string) => void;
  says: RegExp;
}

const HOST_GCC = '/usr/bin/aarch64-linux-gnu-gcc';

/** Archives with the right sha256 whose content is not a toolchain of its own. */
const ARCHIVE_CASES: ArchiveCase[] = [
  {
    what: 'a tarball holding only a symlink to a host directory',
    name: 'symlink-top.tar.gz',
    make: (tc) => fs.symlinkSync('/usr', tc),
    says: /is refused: its top entry is a symbolic link \(to \/usr\)/,
  },
  {
    what: 'a tarball whose gcc driver is a symlink to the host gcc',
    name: 'host-gcc.tar.gz',
    make: (tc) => fakeToolchain(tc, (gcc) => fs.symlinkSync(HOST_GCC, gcc)),
    says: /bin\/aarch64-linux-gnu-gcc resolves to \/.*, outside the toolchain/,
  },
  {
    what: 'a tarball whose bin/ is a symlink to the host',
    name: 'host-bin.tar.gz',
    make: (tc) => {
      fs.mkdirSync(tc);
      fs.symlinkSync('/usr/bin', path.join(tc, 'bin'));
    },
    says: /bin resolves to \/usr\/bin, outside the toolchain/,
  },
  {
    what: 'a tarball whose gcc driver is not executable',
    name: 'not-executable.tar.gz',
    make: (tc) => fakeToolchain(tc, (gcc) => fs.writeFileSync(gcc, '#!/bin/sh\n', { mode: 0o644 })),
    says: /bin\/aarch64-linux-gnu-gcc is not executable/,
  },
  {
    what: 'a tarball whose gcc driver dangles',
    name: 'dangling.tar.gz',
    make: (tc) => fakeToolchain(tc, (gcc) => fs.symlinkSync('aarch64-linux-gnu-gcc-12', gcc)),
    says: /bin\/aarch64-linux-gnu-gcc is a symlink to aarch64-linux-gnu-gcc-12, which does not exist/,
  },
  {
    what: 'a tarball whose sysroot is a symlink to the host',
    name: 'host-sysroot.tar.gz',
    make: (tc) => {
      fakeToolchain(tc, (gcc) => fs.writeFileSync(gcc, '#!/bin/sh\n', { mode: 0o755 }));
      fs.rmSync(path.join(tc, 'aarch64-linux-gnu'), { recursive: true });
      fs.symlinkSync('/usr/aarch64-linux-gnu', path.join(tc, 'aarch64-linux-gnu'));
    },
    says: /aarch64-linux-gnu resolves to \/usr\/aarch64-linux-gnu, outside the toolchain/,
  },
  {
    what: 'a tarball with a setuid file',
    name: 'setuid.tar.gz',
    make: (tc) => {
      fakeToolchain(tc, (gcc) => fs.writeFileSync(gcc, '#!/bin/sh\n', { mode: 0o755 }));
      fs.writeFileSync(path.join(tc, 'bin', 'helper'), '', { mode: 0o755 });
      fs.chmodSync(path.join(tc, 'bin', 'helper'), 0o4755);
    },
    says: /bin\/helper is setuid/,
  },
  {
    what: 'a tarball with a fifo',
    name: 'fifo.tar.gz',
    make: (tc) => {
      fakeToolchain(tc, (gcc) => fs.writeFileSync(gcc, '#!/bin/sh\n', { mode: 0o755 }));
      execFileSync('mkfifo', [path.join(tc, 'aarch64-linux-gnu', 'pipe')]);
    },
    says: /aarch64-linux-gnu\/pipe is a device, fifo or socket, not a file/,
  },
  {
    what: 'a zip holding only a symlink to a host directory',
    name: 'symlink-top.zip',
    make: (tc) => fs.symlinkSync('/usr', tc),
    says: /is refused: its top entry is a symbolic link \(to \/usr\)/,
  },
  {
    what: 'a zip whose gcc driver is a symlink to the host gcc',
    name: 'host-gcc.zip',
    make: (tc) => fakeToolchain(tc, (gcc) => fs.symlinkSync(HOST_GCC, gcc)),
    says: /bin\/aarch64-linux-gnu-gcc resolves to \/.*, outside the toolchain/,
  },
];

describe('toolchain archives must unpack to a toolchain of their own', () => {
  const outcomes = new Map<string, { r: ActionRun; hits: number; dirs: RunnerDirs }>();
  beforeAll(async () => {
    const results = await pool(
      ARCHIVE_CASES.map((c) => async () => {
        const { url, sha } = hostileArchive(c.name, c.make);
        const dirs = runnerDirs('hostile tc');
        workspaceWithFixtures(dirs);
        const r = await runAction(
          offlineInputs(dirs, {
            target: 'pi4',
            'working-directory': 'hello',
            'toolchain-url': url,
            'toolchain-sha256': sha,
            upload: 'false',
          }),
          dirs,
        );
        return { r, hits: server.hits.get(`/${c.name}`) ?? 0, dirs };
      }),
      3,
    );
    ARCHIVE_CASES.forEach((c, i) => outcomes.set(c.what, results[i] as never));
  }, 300_000);

  test.each(ARCHIVE_CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    const o = outcomes.get(c.what) as { r: ActionRun; hits: number; dirs: RunnerDirs };
    expectRefused(o.r, 'toolchain-url', c.says, o.dirs);
    expect(o.r.errors[0]).toMatch(/A toolchain archive must unpack to real directories/);
    expect(o.hits).toBe(1);
    // Nothing cached, so nothing "complete": the next run downloads and refuses it again.
    expect(fs.readdirSync(o.dirs.toolCache)).toEqual([]);
  });
});

describe('files packed without being asked for', () => {
  let docs: ActionRun;
  let leak: ActionRun;
  let pinned: ActionRun;
  beforeAll(async () => {
    const copy = (name: string) => {
      const dir = path.join(d.workspace, name);
      fs.cpSync(path.join(d.workspace, 'hello'), dir, {
        recursive: true,
        filter: (f) => !['notes.txt', 'Other.toml'].includes(path.basename(f)),
      });
      return dir;
    };
    const crate = copy('with docs');
    for (const f of [
      'UNLICENSE',
      'LICENSE-MIT',
      'LICENSE-APACHE',
      'COPYING',
      'NOTICE',
      'README.md',
    ])
      fs.writeFileSync(path.join(crate, f), `${f}\n`);
    fs.mkdirSync(path.join(crate, 'legal'));
    fs.writeFileSync(path.join(crate, 'legal', 'TERMS.txt'), 'terms\n');
    const toml = path.join(crate, 'Cargo.toml');
    fs.writeFileSync(
      toml,
      fs
        .readFileSync(toml, 'utf8')
        .replace('publish = false', 'publish = false\nlicense-file = "legal/TERMS.txt"'),
    );
    const leaky = copy('leaky');
    fs.symlinkSync(secret, path.join(leaky, 'LICENSE'));
    const pin = copy('pinned');
    fs.writeFileSync(
      path.join(pin, 'rust-toolchain.toml'),
      '[toolchain]\nchannel = "nightly-2020-01-01"\n',
    );
    const base = {
      target: 'pi4',
      'toolchain-url': `${server.url}/${a64.file}`,
      'toolchain-sha256': a64.sha256,
      upload: 'false',
    };
    // The first downloads the toolchain into the shared tool cache; the others reuse it.
    docs = await runAction(offlineInputs(d, { ...base, 'working-directory': 'with docs' }), d);
    [leak, pinned] = (await pool(
      [
        () => runAction(offlineInputs(d, { ...base, 'working-directory': 'leaky' }), d),
        () =>
          runAction(
            offlineInputs(d, { ...base, 'working-directory': 'pinned', 'rust-toolchain': '' }),
            d,
            {
              RUSTUP_AUTO_INSTALL: '0',
            },
          ),
      ],
      2,
    )) as [ActionRun, ActionRun];
  }, 300_000);

  test("UNLICENSE, LICENSE-*, COPYING, NOTICE and Cargo.toml's license-file are packed", () => {
    expect(docs.errors).toEqual([]);
    expect(docs.code).toBe(0);
    const archive = docs.outputs.archives as string;
    const names = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(names.sort()).toEqual(
      [
        'COPYING',
        'LICENSE-APACHE',
        'LICENSE-MIT',
        'NOTICE',
        'README.md',
        'TERMS.txt',
        'UNLICENSE',
        'pi-hello',
      ].sort(),
    );
  });

  test('a LICENSE that links out of the workspace is refused, not packed', () => {
    expect(leak.errors).toHaveLength(1);
    expect(leak.errors[0]).toMatch(
      /LICENSE' resolves to '.*secret\.txt', outside the workspace; .*packed automatically/,
    );
    expect(leak.stdout).toMatch(/^::error title=rust-rpi-cross%3A include::/m);
    expect(leak.code).toBe(1);
    expect(leak.outputs).toEqual({});
    const packed = (fs.readdirSync(d.temp, { recursive: true }) as string[]).filter((f) =>
      /\.tar\.gz$/.test(f),
    );
    for (const f of packed) {
      const listing = execFileSync('tar', ['-tzf', path.join(d.temp, f)], { encoding: 'utf8' });
      expect(listing).not.toMatch(/^LICENSE$/m);
    }
  });

  test('rust-toolchain.toml naming a toolchain that is not installed names the file and the fix', () => {
    expect(pinned.errors).toHaveLength(1);
    const file = path.join(d.workspace, 'pinned', 'rust-toolchain.toml');
    expect(pinned.errors[0]).toContain(`${file} asks for Rust toolchain 'nightly-2020-01-01'`);
    expect(pinned.errors[0]).toMatch(/toolchain 'nightly-2020-01-01-\S+' is not installed/);
    expect(pinned.errors[0]).toContain("'rustup toolchain install nightly-2020-01-01'");
    expect(pinned.errors[0]).not.toMatch(/backtrace/i);
    expect(pinned.code).toBe(1);
  });
});
