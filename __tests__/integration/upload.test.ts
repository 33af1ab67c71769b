/**
 * uploadArtifacts with the real @actions/artifact client against the loopback results service:
 * what the service received is unpacked and checked like a user would after downloading it.
 * The server lives in this process, so only async client calls talk to it; the child processes
 * (tar, sha256sum) only touch files.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageTargets, renderName, sha256File } from '../../src/package/archive.js';
import { uploadArtifacts, type ArtifactClientLike } from '../../src/upload.js';
import {
  DUPLICATE_ARTIFACT_MSG,
  startActionsService,
  type ActionsService,
} from '../helpers/actions-service.js';

const RUN_ID = '4242';
let service: ActionsService;
let tmp: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  service = await startActionsService();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-test-'));
  Object.assign(process.env, service.env(RUN_ID), {
    NO_PROXY: '127.0.0.1,localhost',
    GITHUB_WORKSPACE: tmp,
  });
});

afterEach(() => service.clearFaults());

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await service.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A small file artifact in its own directory. */
function smallItem(name: string): { name: string; files: string[]; rootDirectory: string } {
  const dir = fs.mkdtempSync(path.join(tmp, 'item-'));
  fs.writeFileSync(path.join(dir, 'payload.txt'), `payload of ${name}\n`);
  return { name, files: [path.join(dir, 'payload.txt')], rootDirectory: dir };
}

/**
 * The Twirp client sleeps 3 s, then ×1.5 per attempt (about 30 s for all 5 attempts), and reads no
 * env var or option we can reach to change that. Tests that exhaust its retries shrink just those
 * sleeps (2.5–20 s; the 300 s upload stall timer is untouched) to a few milliseconds.
 */
function compressBackoff(): () => void {
  const real = globalThis.setTimeout;
  const fast = (handler: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    real(handler, ms !== undefined && ms >= 2_500 && ms <= 20_000 ? 5 : ms, ...args);
  globalThis.setTimeout = fast as unknown as typeof setTimeout;
  return () => {
    globalThis.setTimeout = real;
  };
}

describe('uploadArtifacts against the loopback results service', () => {
  it('ships per-target tar.gz artifacts whose binaries keep +x and match their checksums', async () => {
    const bin = path.join(tmp, 'pi-hello');
    fs.writeFileSync(bin, '#!/bin/sh\necho "hello, pi"\n', { mode: 0o755 });
    const outDir = path.join(tmp, 'dist');
    const targets = ['aarch64-unknown-linux-gnu', 'armv7-unknown-linux-gnueabihf'];
    const vars = { package: 'pi-hello', version: '1.0.0', board: 'pi4', ref: 'main' };
    const packaged = await packageTargets({
      outDir,
      format: 'tar.gz',
      nameTemplate: '{package}-{version}-{target}',
      groups: targets.map((target) => ({
        target,
        vars,
        binaries: [{ name: 'pi-hello', path: bin }],
      })),
      include: [],
    });
    const items = packaged.archives.map((a) => ({
      name: renderName('{package}-{target}', { ...vars, target: a.target }),
      files: [a.path, `${a.path}.sha256`],
      rootDirectory: outDir,
    }));

    const uploaded = await uploadArtifacts(items, { retentionDays: 5 });

    expect(uploaded.map((u) => u.name)).toEqual(targets.map((t) => `pi-hello-${t}`));
    for (const [i, result] of uploaded.entries()) {
      const stored = service.artifacts.get(result.name);
      expect(stored).toBeDefined();
      expect(result).toEqual({
        name: result.name,
        id: stored?.id,
        url: `https://github.com/octo-org/rpi-app/actions/runs/${RUN_ID}/artifacts/${stored?.id}`,
        size: stored?.size,
      });
      const archive = packaged.archives[i];
      if (!archive) throw new Error('missing archive');
      await expectArtifactMatches(result.name, archive.path, await sha256File(bin));
    }
    const create = service.calls('CreateArtifact')[0]?.body ?? {};
    expect(create).toMatchObject({ version: 7, mime_type: 'application/zip' });
    expect(Date.parse(String(create.expires_at)) - Date.now()).toBeGreaterThan(4 * 86_400_000);
    const ops = service.requests.map((r) => r.op).filter((op) => op !== 'PutBlock');
    expect(ops.slice(0, 3)).toEqual(['CreateArtifact', 'PutBlockList', 'FinalizeArtifact']);
  });

  it('refuses duplicate names among the items before uploading anything', async () => {
    const before = service.requests.length;
    const items = [smallItem('pi-app'), smallItem('pi-app')];
    await expect(uploadArtifacts(items)).rejects.toThrow(
      /artifact-name renders to 'pi-app' for more than one upload.*include \{target\} in artifact-name/,
    );
    expect(service.requests).toHaveLength(before);
  });

  it("turns the service's 409 for a name another matrix job took into advice", async () => {
    const ownToken = process.env.ACTIONS_RUNTIME_TOKEN;
    process.env.ACTIONS_RUNTIME_TOKEN = service.env(RUN_ID, 'sibling-job').ACTIONS_RUNTIME_TOKEN;
    await uploadArtifacts([smallItem('binaries')]);
    process.env.ACTIONS_RUNTIME_TOKEN = ownToken;

    const failure = uploadArtifacts([smallItem('binaries')]);
    await expect(failure).rejects.toThrow(
      /Artifact 'binaries' already exists in this workflow run/,
    );
    await expect(failure).rejects.toThrow(
      /matrix job.*\{target\} or the matrix key in artifact-name/,
    );
    await expect(failure).rejects.toThrow(DUPLICATE_ARTIFACT_MSG);
    const statuses = service.calls('CreateArtifact').map((r) => r.status);
    expect(statuses.at(-1)).toBe(409);
    expect(statuses.at(-2)).toBe(200); // a 409 is not retried
  });

  it('recovers from one 500 with the real client backoff (about 3 s)', async () => {
    service.failNext('CreateArtifact', 500);
    const started = Date.now();
    const [result] = await uploadArtifacts([smallItem('after-500')]);
    expect(result?.id).toBe(service.artifacts.get('after-500')?.id);
    expect(
      service
        .calls('CreateArtifact')
        .slice(-2)
        .map((r) => r.status),
    ).toEqual([500, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
  });

  it('survives a failed blob block-list commit (the Azure SDK retries it at once)', async () => {
    service.failNext('PutBlockList', 503);
    await uploadArtifacts([smallItem('blob-hiccup')]);
    expect(service.unzip('blob-hiccup').get('payload.txt')?.data.toString()).toBe(
      'payload of blob-hiccup\n',
    );
    expect(
      service
        .calls('PutBlockList')
        .slice(-2)
        .map((r) => r.status),
    ).toEqual([503, 201]);
  });

  it('gives a clear error once the client has spent its 5 attempts on 500s', async () => {
    service.failAlways('CreateArtifact', 500);
    const restore = compressBackoff();
    const before = service.calls('CreateArtifact').length;
    try {
      await expect(uploadArtifacts([smallItem('never')])).rejects.toThrow(
        /Uploading artifact 'never' failed after retries: .*after 5 attempts.*\(500\)/,
      );
    } finally {
      restore();
    }
    expect(service.calls('CreateArtifact').length - before).toBe(5);
    expect(service.artifacts.has('never')).toBe(false);
  });
});

/** Unpacks the zip the service holds, then the tar.gz inside it, and checks the binary. */
async function expectArtifactMatches(name: string, archive: string, binSha: string): Promise<void> {
  const base = path.basename(archive);
  const entries = service.unzip(name);
  expect([...entries.keys()].sort()).toEqual([base, `${base}.sha256`]);
  const dir = fs.mkdtempSync(path.join(tmp, 'check-'));
  fs.writeFileSync(path.join(dir, base), entries.get(base)?.data ?? Buffer.alloc(0));
  fs.writeFileSync(path.join(dir, `${base}.sha256`), entries.get(`${base}.sha256`)?.data ?? '');
  expect(execFileSync('sha256sum', ['-c', `${base}.sha256`], { cwd: dir, encoding: 'utf8' })).toBe(
    `${base}: OK\n`,
  );
  execFileSync('tar', ['-xzf', path.join(dir, base), '-C', dir]);
  const extracted = path.join(dir, 'pi-hello');
  expect(fs.statSync(extracted).mode & 0o111).toBe(0o111);
  expect(await sha256File(extracted)).toBe(binSha);
  expect(execFileSync(extracted, { encoding: 'utf8' })).toBe('hello, pi\n');
  const digest = crypto.createHash('sha256').update(service.artifacts.get(name)?.zip ?? '');
  expect(service.artifacts.get(name)?.digest).toBe(`sha256:${digest.digest('hex')}`);
}

describe('uploadArtifacts with a substitute client', () => {
  const client = (id?: number): ArtifactClientLike => ({
    uploadArtifact: async () => ({ id, size: 12 }),
  });

  it('builds the artifact URL from the options, trimming a trailing slash', async () => {
    const opts = { serverUrl: 'https://ghe.example/', repository: 'me/app', runId: '7' };
    const [result] = await uploadArtifacts([smallItem('a')], opts, client(99));
    expect(result).toEqual({
      name: 'a',
      id: 99,
      url: 'https://ghe.example/me/app/actions/runs/7/artifacts/99',
      size: 12,
    });
  });

  it('rejects a name the service would refuse, and a response without an id', async () => {
    await expect(uploadArtifacts([smallItem('a/b')], {}, client(1))).rejects.toThrow(
      /Artifact name 'a\/b' is not allowed/,
    );
    await expect(uploadArtifacts([smallItem('c')], {}, client())).rejects.toThrow(
      /returned no artifact id/,
    );
  });
});
