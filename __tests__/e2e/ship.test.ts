import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startActionsService, type ActionsService } from '../helpers/actions-service.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, sysrootIn, workspaceWithFixtures } from '../helpers/workspace.js';

// Build → verify → package → upload, through dist/index.js against the project's loopback
// results service; then download what the service received, unpack it and run it under qemu.

interface Bin {
  target: string;
  name: string;
  sha256: string;
}

let files: FileServer;
let service: ActionsService;
let dirs: RunnerDirs;
let first: ActionRun;
const multi = testToolchain('pi-multi');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function inputs(d: RunnerDirs, over: Record<string, string> = {}): Record<string, string> {
  return offlineInputs(d, {
    target: 'pi4, pi2',
    'working-directory': 'hello-c',
    'toolchain-url': `${files.url}/${multi.file}`,
    'toolchain-sha256': multi.sha256,
    'smoke-test': 'ship it',
    'archive-name': '{package}-{version}-{ref}-{target}',
    'retention-days': '5',
    ...over,
  });
}

beforeAll(async () => {
  files = await startFileServer(TOOLCHAIN_DIR);
  service = await startActionsService();
  dirs = runnerDirs('ship');
  workspaceWithFixtures(dirs);
  fs.writeFileSync(path.join(dirs.workspace, 'hello-c', 'LICENSE'), 'MIT\n');
  first = await runAction(inputs(dirs), dirs, { ...service.env('100'), GITHUB_REF_NAME: 'v1.2.3' });
  // A cold two-target build: past the 180 s hook default on a loaded machine.
}, 600000);

afterAll(async () => {
  await files.close();
  await service.close();
});

describe('a two-target run', () => {
  test('succeeds and uploads one artifact per target', () => {
    expect(first.errors).toEqual([]);
    expect(first.code).toBe(0);
    expect([...service.artifacts.keys()].sort()).toEqual([
      'pi-hello-c-aarch64-unknown-linux-gnu',
      'pi-hello-c-armv7-unknown-linux-gnueabihf',
    ]);
    const create = service.calls('CreateArtifact')[0]?.body as { expires_at?: string };
    expect(create.expires_at).toBeDefined();
  });

  test('the uploaded tar.gz keeps +x, matches its checksums, and the binary runs under qemu', () => {
    const bins = JSON.parse(first.outputs.binaries as string) as Bin[];
    const toolchainDir = (JSON.parse(first.outputs.toolchains as string) as { dir: string }[])[0]
      ?.dir as string;
    const runs: Record<string, [string, string, string]> = {
      'aarch64-unknown-linux-gnu': [
        'qemu-aarch64-static',
        'cortex-a72',
        'pi-hello-c rust_arch=aarch64 c_arch=aarch64 mix=fbb53980',
      ],
      'armv7-unknown-linux-gnueabihf': [
        'qemu-arm-static',
        'cortex-a7',
        'pi-hello-c rust_arch=arm c_arch=armv7-a mix=fbb53980',
      ],
    };
    for (const [triple, [qemu, cpu, expected]] of Object.entries(runs)) {
      const entries = service.unzip(`pi-hello-c-${triple}`);
      const tarName = `pi-hello-c-0.1.0-v1.2.3-${triple}.tar.gz`;
      expect([...entries.keys()].sort()).toEqual([tarName, `${tarName}.sha256`]);
      const tgz = entries.get(tarName)?.data as Buffer;
      expect(entries.get(`${tarName}.sha256`)?.data.toString()).toBe(`${sha(tgz)}  ${tarName}\n`);
      const out = fs.mkdtempSync(path.join(dirs.root, 'download-'));
      fs.writeFileSync(path.join(out, tarName), tgz);
      const listing = execFileSync('tar', ['-tvzf', path.join(out, tarName)], { encoding: 'utf8' });
      expect(listing).toMatch(/^-rwxr-xr-x .* pi-hello-c$/m);
      expect(listing).toMatch(/^-rw-r--r-- .* LICENSE$/m);
      execFileSync('tar', ['-xzf', path.join(out, tarName), '-C', out]);
      const binary = path.join(out, 'pi-hello-c');
      expect(sha(fs.readFileSync(binary))).toBe(bins.find((b) => b.target === triple)?.sha256);
      const ran = execFileSync(qemu, ['-cpu', cpu, '-L', sysrootIn(toolchainDir, triple), binary], {
        encoding: 'utf8',
      });
      expect(ran.trim()).toBe(expected);
    }
  });

  test('outputs hand a release job the archives, SHA256SUMS and artifact ids/urls', () => {
    const archives = (first.outputs.archives as string).split('\n');
    expect(archives).toHaveLength(2);
    for (const a of archives) expect(fs.existsSync(a)).toBe(true);
    const sums = first.outputs.checksums as string;
    expect(
      execFileSync('sha256sum', ['-c', path.basename(sums)], {
        cwd: path.dirname(sums),
        encoding: 'utf8',
      }),
    ).toMatch(/: OK\n.*: OK\n$/);
    expect((first.outputs['artifact-ids'] as string).split('\n')).toHaveLength(2);
    expect(first.outputs['artifact-urls']).toMatch(
      /^https:\/\/github\.com\/.+\/actions\/runs\/100\/artifacts\/\d+$/m,
    );
  });

  test('the job summary has a row per binary, the toolchain and the stage times', () => {
    expect(first.summary).toMatch(
      /\| `aarch64-unknown-linux-gnu` \| pi4 \| <code>pi-hello-c<\/code> \(stripped\) \|/,
    );
    expect(first.summary).toMatch(
      /\| `armv7-unknown-linux-gnueabihf` \| pi2 \| <code>pi-hello-c<\/code> \(stripped\) \|/,
    );
    // Program output is shown through character references (an `_` could start emphasis).
    expect(first.summary).toContain('pi-hello-c rust&#95;arch=arm c&#95;arch=armv7-a mix=fbb53980');
    expect(first.summary).toMatch(/<code>custom-[0-9a-f]{12}<\/code>, downloaded/);
    expect(first.summary).toMatch(/\| Package and upload \| \d+\.\d \|/);
  });
});

describe('upload failures', () => {
  test('a matrix sibling with the same artifact name: a clear error, no outputs', async () => {
    // Same run id, another job: the names are taken by the run above.
    const r = await runAction(inputs(dirs), dirs, {
      ...service.env('100', 'other-job'),
      GITHUB_REF_NAME: 'v1.2.3',
    });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/already exists in this workflow run.*artifact-name/s);
    expect(r.outputs.binaries).toBeUndefined();
  });

  test('500 then recovery: the upload is retried and succeeds', async () => {
    service.failNext('CreateArtifact', 500, 1);
    const r = await runAction(inputs(dirs, { target: 'pi4' }), dirs, service.env('101'));
    expect(r.code).toBe(0);
    expect(service.artifacts.has('pi-hello-c-aarch64-unknown-linux-gnu')).toBe(true);
  });

  test('500 forever: a clear error after the retries and no half-reported outputs', async () => {
    service.failAlways('FinalizeArtifact', 500);
    try {
      const r = await runAction(inputs(dirs, { target: 'pi2' }), dirs, service.env('102'));
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(
        /Uploading artifact 'pi-hello-c-armv7-unknown-linux-gnueabihf' failed after retries/,
      );
      expect(r.outputs).toEqual({});
    } finally {
      service.clearFaults();
    }
  }, 90000);
});
