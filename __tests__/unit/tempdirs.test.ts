import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { makeRunnerDir } from '../../src/cargo/runner.js';
import { execFileSync } from 'node:child_process';
import {
  checkToolCache,
  commandFileProblem,
  runnerEnv,
  userCacheDir,
} from '../../src/runner-env.js';
import { makePrivateDir, notPrivate, safeParentMode, spaceFreeParent } from '../../src/tempdir.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-tempdirs-unit-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const dir = { isDirectory: true, isSymbolicLink: false, uid: 1000, mode: 0o40700 };

describe('notPrivate', () => {
  test('an owner-only directory of ours is private', () => {
    expect(notPrivate(dir, 1000)).toBeNull();
  });
  test.each([
    [{ ...dir, uid: 65534 }, /owned by uid 65534, not by this user \(uid 1000\)/],
    [{ ...dir, mode: 0o40750 }, /mode 750 lets other users in/],
    [{ ...dir, mode: 0o40701 }, /mode 701/],
    [{ ...dir, mode: 0o41777 }, /mode 1777/],
    [{ ...dir, isSymbolicLink: true, isDirectory: false }, /symbolic link/],
    [{ ...dir, isDirectory: false }, /not a directory/],
  ])('%o is refused', (facts, why) => {
    expect(notPrivate(facts, 1000)).toMatch(why);
  });
  test('without user ids (Windows, no POSIX modes) only the entry type counts', () => {
    expect(notPrivate({ ...dir, uid: 0, mode: 0o40777 }, null)).toBeNull();
    expect(notPrivate({ ...dir, isSymbolicLink: true }, null)).toMatch(/symbolic link/);
  });
});

test('safeParentMode: world-writable is safe only with the sticky bit', () => {
  expect(safeParentMode(0o40755)).toBe(true);
  expect(safeParentMode(0o41777)).toBe(true);
  expect(safeParentMode(0o40777)).toBe(false);
  expect(safeParentMode(0o40773)).toBe(false);
  expect(safeParentMode(0o40770)).toBe(true);
});

test('spaceFreeParent: the first candidate without whitespace or quotes', () => {
  expect(spaceFreeParent(['/r/temp', '/tmp'])).toBe('/r/temp');
  expect(spaceFreeParent(['/r/runner temp', '/tmp x', '/tmp'])).toBe('/tmp');
  expect(spaceFreeParent([undefined, '', "/it's", '/a\tb', '/t'])).toBe('/t');
  expect(spaceFreeParent(['/a b'])).toBeNull();
});

describe('makePrivateDir', () => {
  test('a new 0700 directory each call, even when the parent is world-writable and sticky', () => {
    const shared = path.join(scratch, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const a = makePrivateDir(shared, 'x-', 'RUNNER_TEMP');
    const b = makePrivateDir(shared, 'x-', 'RUNNER_TEMP');
    expect(a).not.toBe(b);
    for (const d of [a, b]) {
      expect(path.dirname(d)).toBe(shared);
      expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    }
  });
  test('a world-writable parent without the sticky bit is refused, naming the setting', () => {
    const open = path.join(scratch, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    expect(() => makePrivateDir(open, 'x-', 'RUNNER_TEMP')).toThrow(
      /cannot make a private temporary directory in .*open: it is writable by every user without the sticky bit.*Make RUNNER_TEMP/,
    );
    expect(fs.readdirSync(open)).toEqual([]);
  });
  test('a parent that is a file: an error naming the setting, not a bare ENOTDIR', () => {
    const file = path.join(scratch, 'file');
    fs.writeFileSync(file, '');
    expect(() => makePrivateDir(path.join(file, 'sub'), 'x-', 'RUNNER_TEMP')).toThrow(
      /Make RUNNER_TEMP a writable directory/,
    );
  });
});

describe('makeRunnerDir', () => {
  test('inside a space-free run dir: <run>/runner, owner-only', () => {
    const run = makePrivateDir(scratch, 'run-', 'RUNNER_TEMP');
    const d = makeRunnerDir(run);
    expect(d).toBe(path.join(run, 'runner'));
    expect(fs.statSync(d).mode & 0o777).toBe(0o700);
  });
  test('a run dir with a space: a fresh private dir elsewhere, without whitespace', () => {
    const run = fs.mkdtempSync(path.join(scratch, 'run dir '));
    const made = [makeRunnerDir(run), makeRunnerDir(run)];
    try {
      for (const d of made) {
        expect(d).not.toMatch(/\s/);
        expect(path.basename(d)).toMatch(/^rpi-cross-runner-\w{6}$/);
        expect(fs.statSync(d).mode & 0o777).toBe(0o700);
      }
      expect(made[0]).not.toBe(made[1]);
    } finally {
      for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('runnerEnv', () => {
  const host = { platform: 'linux', cwd: '/repo', home: '/home/u', tmpdir: '/tmp' };
  test('on a runner: its variables', () => {
    expect(
      runnerEnv(
        {
          GITHUB_WORKSPACE: '/w',
          RUNNER_TEMP: '/rt',
          RUNNER_TOOL_CACHE: '/tc',
          GITHUB_REF_NAME: 'v1',
        },
        host,
      ),
    ).toEqual({
      workspace: '/w',
      temp: '/rt',
      toolCache: '/tc',
      ownToolCache: false,
      refName: 'v1',
    });
  });
  test('a local run: the OS temp dir and the per-user cache, never the repository', () => {
    const e = runnerEnv({}, host);
    expect(e).toEqual({
      workspace: '/repo',
      temp: '/tmp',
      toolCache: '/home/u/.cache/rust-rpi-cross/tool-cache',
      ownToolCache: true,
      refName: '',
    });
    expect(runnerEnv({ RUNNER_TEMP: '', XDG_CACHE_HOME: '/x' }, host)).toMatchObject({
      temp: '/tmp',
      toolCache: '/x/rust-rpi-cross/tool-cache',
    });
  });
});

test('userCacheDir: XDG on Linux (a relative one ignored), Library/Caches on macOS', () => {
  expect(userCacheDir('linux', {}, '/h')).toBe('/h/.cache');
  expect(userCacheDir('linux', { XDG_CACHE_HOME: '/xdg' }, '/h')).toBe('/xdg');
  expect(userCacheDir('linux', { XDG_CACHE_HOME: 'rel/cache' }, '/h')).toBe('/h/.cache');
  expect(userCacheDir('darwin', { XDG_CACHE_HOME: '/xdg' }, '/Users/u')).toBe(
    '/Users/u/Library/Caches',
  );
  expect(userCacheDir('win32', { LOCALAPPDATA: 'C:\\L' }, 'C:\\U')).toBe('C:\\L');
});

test('commandFileProblem: what is wrong with GITHUB_OUTPUT / GITHUB_ENV', () => {
  const file = { isFile: true, isDirectory: false, writable: true };
  expect(commandFileProblem(file)).toBeNull();
  expect(commandFileProblem({ ...file, isFile: false, isDirectory: true })).toBe(
    'is a directory, not a file',
  );
  expect(commandFileProblem({ ...file, isFile: false })).toBe('is not a regular file');
  expect(commandFileProblem({ ...file, writable: false })).toBe('is not writable');
  expect(commandFileProblem('ENOENT')).toBe('does not exist');
  expect(commandFileProblem('EACCES')).toBe('cannot be read (EACCES)');
});

describe('checkToolCache', () => {
  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  test('the per-user default is made owner-only', () => {
    const dir = path.join(scratch, 'xdg', 'rust-rpi-cross', 'tool-cache');
    checkToolCache(dir, true);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(dir)).mode & 0o777).toBe(0o700);
  });
  asRoot('a per-user default another user made first (XDG_CACHE_HOME=/tmp) is refused', () => {
    const cache = path.join(scratch, 'shared-xdg');
    fs.mkdirSync(path.join(cache, 'rust-rpi-cross'), { recursive: true });
    execFileSync('chown', ['65534:65534', path.join(cache, 'rust-rpi-cross')]);
    const dir = path.join(cache, 'rust-rpi-cross', 'tool-cache');
    expect(() => checkToolCache(dir, true)).toThrow(
      /refusing the tool cache .*rust-rpi-cross is not this user's alone, it is owned by uid 65534/,
    );
  });
  test('a world-writable RUNNER_TOOL_CACHE is refused, a missing one left to the install', () => {
    const open = path.join(scratch, 'open-tc');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o1777);
    expect(() => checkToolCache(open, false)).toThrow(/RUNNER_TOOL_CACHE.*mode 1777/);
    fs.chmodSync(open, 0o755);
    expect(() => checkToolCache(open, false)).not.toThrow();
    expect(() => checkToolCache(path.join(scratch, 'nowhere'), false)).not.toThrow();
    expect(fs.existsSync(path.join(scratch, 'nowhere'))).toBe(false);
  });
});
