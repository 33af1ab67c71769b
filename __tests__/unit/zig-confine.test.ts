import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { toolchainTreeProblem } from '../../src/toolchain/confine.js';
import { isZigDistribution } from '../../src/toolchain/zig-layout.js';

/** A zig release's shape: `zig` beside `lib/` with its C runtime and std sources. */
function zigTree(edit: (root: string) => void = () => undefined): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zig tree '));
  fs.mkdirSync(path.join(root, 'lib', 'libc'), { recursive: true });
  fs.mkdirSync(path.join(root, 'lib', 'std'));
  fs.writeFileSync(path.join(root, 'zig'), '#!/bin/sh\n', { mode: 0o755 });
  edit(root);
  return root;
}

describe('a zig distribution in the tool cache', () => {
  it('is accepted as a self-contained toolchain and recognised as zig', () => {
    const root = zigTree();
    expect(toolchainTreeProblem(root)).toBeNull();
    expect(isZigDistribution(root)).toBe(true);
  });

  it('is refused when zig or lib/ point outside it', () => {
    const a = zigTree((r) => {
      fs.rmSync(path.join(r, 'zig'));
      fs.symlinkSync('/bin/sh', path.join(r, 'zig'));
    });
    expect(toolchainTreeProblem(a)).toMatch(/^zig resolves to .*, outside the toolchain/);
    expect(isZigDistribution(a)).toBe(false);
    const b = zigTree((r) => {
      fs.rmSync(path.join(r, 'lib'), { recursive: true });
      fs.symlinkSync(os.tmpdir(), path.join(r, 'lib'));
    });
    expect(toolchainTreeProblem(b)).toMatch(/^lib resolves to .*, outside the toolchain/);
  });

  it('is refused when zig is not executable', () => {
    const root = zigTree((r) => fs.chmodSync(path.join(r, 'zig'), 0o644));
    expect(toolchainTreeProblem(root)).toBe('zig is not executable');
  });
});
