import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs } from '../helpers/run-action.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';

// A toolchain-url that redirects, through dist/index.js: a relative Location (legal per RFC
// 9110; release servers and mirrors send them) must be followed, a loop must say so at once.

const a64 = testToolchain('aarch64-linux-gnu');
let server: FileServer;

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
});
afterAll(() => server.close());

function inputs(dirs: ReturnType<typeof runnerDirs>, url: string): Record<string, string> {
  return offlineInputs(dirs, {
    target: 'pi4',
    'working-directory': 'hello',
    'toolchain-url': url,
    'toolchain-sha256': a64.sha256,
    upload: 'false',
  });
}

test('a toolchain-url answering 302 with a relative Location is downloaded and builds', async () => {
  const d = runnerDirs('redirect');
  workspaceWithFixtures(d);
  server.fault('/latest/toolchain.tar.gz', { kind: 'redirect', location: `/${a64.file}` });
  const r = await runAction(inputs(d, `${server.url}/latest/toolchain.tar.gz`), d);
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  expect(server.hits.get('/latest/toolchain.tar.gz')).toBe(1);
  expect(server.hits.get(`/${a64.file}`)).toBeGreaterThanOrEqual(1);
  expect(r.stdout).not.toMatch(/retrying/);
  expect(JSON.parse(r.outputs.binaries as string)).toHaveLength(1);
});

test('a redirect loop: one error that says "redirect loop", no retries, nothing built', async () => {
  const d = runnerDirs('redirect-loop');
  workspaceWithFixtures(d);
  server.fault('/loop/a.tar.gz', { kind: 'redirect', location: '/loop/b.tar.gz' });
  server.fault('/loop/b.tar.gz', { kind: 'redirect', location: 'a.tar.gz' });
  const r = await runAction(inputs(d, `${server.url}/loop/a.tar.gz`), d);
  expect(r.code).toBe(1);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]).toContain(
    `redirect loop: ${server.url}/loop/a.tar.gz → ${server.url}/loop/b.tar.gz → ${server.url}/loop/a.tar.gz`,
  );
  expect(r.errors[0]).toMatch(/point 'toolchain-url' .* at the file itself/);
  expect(r.errors[0]).not.toMatch(/HTTP 302|refused|kept failing|Invalid URL/);
  expect(r.stdout).not.toMatch(/retrying/);
  expect(server.hits.get('/loop/a.tar.gz')).toBe(1);
  expect(r.outputs).toEqual({});
});
