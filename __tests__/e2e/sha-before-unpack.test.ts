import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs } from '../helpers/run-action.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// A toolchain archive is checked against toolchain-sha256 before anything unpacks it: an
// unverified archive must never reach tar or unzip (their bugs and path tricks are the attack
// surface, and a half-unpacked tree the clean-up's). The tool cache ends up empty either way,
// so the order is observed where it happens: tar and unzip on the action's PATH are stand-ins
// that log each call and then run the real tool. The served archives are valid, so an unpack
// before the check would succeed and leave the error text exactly the same.

let root: string;
let server: FileServer;
let fakeBin: string;
let calls: string;
const sums: Record<string, string> = {};

/** The real tool behind a stand-in: the first one on PATH. */
function real(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, tool);
    if (dir && fs.existsSync(p)) return p;
  }
  throw new Error(`${tool} not on PATH`);
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-sha-order-'));
  const served = path.join(root, 'served');
  const tree = path.join(root, 'tree');
  fs.mkdirSync(path.join(tree, 'tc', 'bin'), { recursive: true });
  fs.mkdirSync(served);
  fs.writeFileSync(path.join(tree, 'tc', 'bin', 'aarch64-linux-gnu-gcc'), '#!/bin/sh\n', {
    mode: 0o755,
  });
  execFileSync('tar', ['-czf', path.join(served, 'tc.tar.gz'), '-C', tree, 'tc']);
  execFileSync('zip', ['-qr', path.join(served, 'tc.zip'), 'tc'], { cwd: tree });
  for (const f of ['tc.tar.gz', 'tc.zip']) {
    sums[f] = createHash('sha256')
      .update(fs.readFileSync(path.join(served, f)))
      .digest('hex');
  }
  fakeBin = path.join(root, 'bin');
  fs.mkdirSync(fakeBin);
  calls = path.join(root, 'calls');
  for (const tool of ['tar', 'unzip']) {
    fs.writeFileSync(
      path.join(fakeBin, tool),
      `#!/bin/sh\necho "${tool} $*" >> "${calls}"\nexec "${real(tool)}" "$@"\n`,
      { mode: 0o755 },
    );
  }
  server = await startFileServer(served);
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function install(file: string, sha256: string) {
  fs.rmSync(calls, { force: true });
  const d = runnerDirs(`sha-${file}`, false);
  workspaceWithFixtures(d);
  const r = await runAction(
    offlineInputs(d, {
      target: 'pi4',
      'working-directory': 'hello',
      'toolchain-url': `${server.url}/${file}`,
      'toolchain-sha256': sha256,
      upload: 'false',
    }),
    d,
    { PATH: `${fakeBin}${path.delimiter}${process.env.PATH}` },
  );
  const unpackers = fs.existsSync(calls)
    ? fs
        .readFileSync(calls, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0])
    : [];
  const toolCache = fs.readdirSync(d.toolCache);
  fs.rmSync(d.root, { recursive: true, force: true });
  return { r, unpackers, toolCache };
}

describe.each([
  ['tc.tar.gz', 'tar'],
  ['tc.zip', 'unzip'],
])('%s', (file, unpacker) => {
  test(`a wrong sha256 is refused before ${unpacker} ever runs`, async () => {
    const { r, unpackers, toolCache } = await install(file, 'b'.repeat(64));
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(new RegExp(`sha256 mismatch .*expected b{64}, got ${sums[file]}`));
    expect(unpackers).toEqual([]);
    expect(toolCache).toEqual([]);
  });

  test(`the right sha256: the stand-in ${unpacker} is what unpacks it (the probe works)`, async () => {
    const { r, unpackers } = await install(file, sums[file] as string);
    expect(unpackers).toContain(unpacker);
    expect(r.stdout).toContain(`sha256 ${sums[file]} verified`);
  });
});
