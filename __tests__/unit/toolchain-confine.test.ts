import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { TARGETS, type TargetSpec } from '../../src/targets/table.js';
import { gccDrivers, runTools, toolchainTreeProblem } from '../../src/toolchain/confine.js';
import { discoverLayout } from '../../src/toolchain/layout.js';

test('gcc drivers and the tools run for their prefixes', () => {
  const bin = [
    'aarch64-linux-gnu-gcc',
    'aarch64-linux-gnu-gcc-12',
    'aarch64-linux-gnu-gcc-ar',
    'aarch64-linux-gnu-ar',
    'aarch64-linux-gnu-strip',
    'aarch64-linux-gnu-g++',
    'aarch64-linux-gnu-gcov',
    'x-ranlib',
    '-gcc',
  ];
  expect(gccDrivers(bin)).toEqual(['aarch64-linux-gnu-gcc']);
  expect(runTools(bin)).toEqual([
    'aarch64-linux-gnu-gcc',
    'aarch64-linux-gnu-ar',
    'aarch64-linux-gnu-strip',
    'aarch64-linux-gnu-g++',
  ]);
});

describe('toolchainTreeProblem', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tree '));
  let n = 0;
  /** A minimal toolchain: bin/p-gcc (+x), bin/p-ar, p/lib/ld-linux-aarch64.so.1. */
  function tree(edit: (root: string) => void = () => undefined): string {
    const root = path.join(base, `t${n++}`);
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(root, 'p', 'lib'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bin', 'p-gcc-12'), '#!/bin/sh\n', { mode: 0o755 });
    fs.symlinkSync('p-gcc-12', path.join(root, 'bin', 'p-gcc'));
    fs.writeFileSync(path.join(root, 'bin', 'p-ar'), '', { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'p', 'lib', 'ld-linux-aarch64.so.1'), '');
    edit(root);
    return root;
  }
  const replace = (p: string, target: string) => {
    fs.rmSync(p, { recursive: true, force: true });
    fs.symlinkSync(target, p);
  };

  test('a self-contained tree with links inside it passes', () => {
    expect(toolchainTreeProblem(tree())).toBeNull();
  });
  test('a top entry that is a symlink', () => {
    const link = path.join(base, 'top-link');
    fs.symlinkSync(tree(), link);
    expect(toolchainTreeProblem(link)).toMatch(/^its top entry is a symbolic link \(to .*t\d+\)$/);
  });
  test('bin/ linked to the host', () => {
    const root = tree((r) => replace(path.join(r, 'bin'), '/usr/bin'));
    expect(toolchainTreeProblem(root)).toBe('bin resolves to /usr/bin, outside the toolchain');
  });
  test('a gcc driver linked to the host', () => {
    const root = tree((r) => replace(path.join(r, 'bin', 'p-gcc'), '/usr/bin/true'));
    expect(toolchainTreeProblem(root)).toMatch(/^bin\/p-gcc resolves to \/usr\/bin\/true/);
  });
  test('ar linked out with a relative link', () => {
    const root = tree((r) => replace(path.join(r, 'bin', 'p-ar'), '../../../../../../usr/bin/ar'));
    expect(toolchainTreeProblem(root)).toBe(
      `bin/p-ar resolves to ${fs.realpathSync('/usr/bin/ar')}, outside the toolchain`,
    );
  });
  test('a dangling or non-executable driver', () => {
    const dangling = tree((r) => fs.rmSync(path.join(r, 'bin', 'p-gcc-12')));
    expect(toolchainTreeProblem(dangling)).toBe(
      'bin/p-gcc is a symlink to p-gcc-12, which does not exist',
    );
    const plain = tree((r) => fs.chmodSync(path.join(r, 'bin', 'p-gcc-12'), 0o644));
    expect(toolchainTreeProblem(plain)).toBe('bin/p-gcc is not executable');
  });
  test('a sysroot or its lib/ linked to the host', () => {
    const sysroot = tree((r) => replace(path.join(r, 'p'), '/'));
    expect(toolchainTreeProblem(sysroot)).toBe('p resolves to /, outside the toolchain');
    const lib = tree((r) => replace(path.join(r, 'p', 'lib'), '/lib'));
    expect(toolchainTreeProblem(lib)).toMatch(/^p\/lib resolves to \/.*lib, outside/);
  });
  test('no driver at all', () => {
    const root = tree((r) => {
      fs.rmSync(path.join(r, 'bin', 'p-gcc'));
    });
    expect(toolchainTreeProblem(root)).toBe('it has no gcc driver (bin/<prefix>-gcc)');
  });
});

describe("discoverLayout keeps 'toolchain-sysroot' inside the toolchain", () => {
  const spec = TARGETS.find((t) => t.triple === 'aarch64-unknown-linux-gnu') as TargetSpec;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layout '));
  fs.mkdirSync(path.join(root, 'bin'));
  fs.writeFileSync(path.join(root, 'bin', 'p-gcc'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const sysroot = path.join(root, 'p', 'lib');
  fs.mkdirSync(sysroot, { recursive: true });
  fs.writeFileSync(path.join(sysroot, 'ld-linux-aarch64.so.1'), '');
  // A host directory that passes for a sysroot: the loader is there.
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'host sysroot '));
  fs.mkdirSync(path.join(host, 'lib'));
  fs.writeFileSync(path.join(host, 'lib', 'ld-linux-aarch64.so.1'), '');
  fs.symlinkSync(host, path.join(root, 'host'));
  fs.symlinkSync('p', path.join(root, 'inside'));

  test('a link to a directory of the toolchain is used', async () => {
    const l = await discoverLayout(root, spec, { prefix: 'p', sysroot: 'inside' });
    expect(l.sysroot).toBe(path.join(root, 'inside'));
  });
  test('a link out of it is refused, naming the input', async () => {
    const got = discoverLayout(root, spec, { prefix: 'p', sysroot: 'host' });
    await expect(got).rejects.toBeInstanceOf(InputError);
    await expect(got).rejects.toThrow(
      `input 'toolchain-sysroot': 'host' resolves to '${fs.realpathSync(host)}', outside the toolchain`,
    );
  });
  test("a host directory the driver prints as its sysroot is passed over for the toolchain's own", async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'layout printed '));
    fs.cpSync(path.join(root, 'p'), path.join(other, 'p'), { recursive: true });
    fs.mkdirSync(path.join(other, 'bin'));
    fs.writeFileSync(path.join(other, 'bin', 'p-gcc'), `#!/bin/sh\necho '${host}'\n`, {
      mode: 0o755,
    });
    const l = await discoverLayout(other, spec, { prefix: 'p', sysroot: null });
    expect(l.sysroot).toBe(path.join(other, 'p'));
  });
});
