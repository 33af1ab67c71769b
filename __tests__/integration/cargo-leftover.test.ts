import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { cargoTest } from '../../src/cargo/build.js';
import type { ActionInputs } from '../../src/inputs.js';
import type { Log } from '../../src/log.js';

// A stand-in `cargo` whose "test" starts a process that keeps stderr open and does not wait for
// it: what a careless build script or test does. Real processes, only cargo itself is replaced.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cargo-leftover-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fakeCargo(body: string): NodeJS.ProcessEnv {
  const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
  fs.writeFileSync(path.join(bin, 'cargo'), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
}

const inputs = {
  rustToolchain: '',
  manifestPath: null,
  packages: [],
  bins: [],
  features: [],
  allFeatures: false,
  noDefaultFeatures: false,
  profile: 'release',
  locked: false,
  args: [],
} as unknown as ActionInputs;

function recordingLog() {
  const warnings: [string, string | undefined][] = [];
  const log: Log = {
    info: () => {},
    debug: () => {},
    warning: (m, t) => warnings.push([m, t]),
    group: (_n, fn) => fn(),
    untrusted: (fn) => fn(),
  };
  return { log, warnings };
}

describe('cargo runs that leave a process holding their output', () => {
  test('a process stopped with the group is reported, and the run still ends', async () => {
    const { log, warnings } = recordingLog();
    const env = fakeCargo('sleep 60 >&2 &\nexit 0');
    const t0 = Date.now();
    await cargoTest(inputs, ['aarch64-unknown-linux-gnu'], { cwd: dir, env, log });
    expect(Date.now() - t0).toBeLessThan(30000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![0]).toMatch(
      /^cargo test exited, but a process it started .*: it was stopped\./,
    );
    expect(warnings[0]![1]).toBe('cargo left a process');
  }, 60000);

  test('one that left the group is reported as possibly still running', async () => {
    const { log, warnings } = recordingLog();
    const pidFile = path.join(dir, 'escaped.pid');
    const env = fakeCargo(`setsid sh -c 'echo $$ > ${pidFile}; exec sleep 60' >&2 &\nexit 0`);
    await cargoTest(inputs, ['aarch64-unknown-linux-gnu'], { cwd: dir, env, log });
    expect(warnings.map((w) => w[0]).join('\n')).toMatch(/may still be running/);
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL'); // it did escape: end it
  }, 60000);

  test('a clean run says nothing', async () => {
    const { log, warnings } = recordingLog();
    await cargoTest(inputs, ['aarch64-unknown-linux-gnu'], {
      cwd: dir,
      env: fakeCargo('sleep 0.1 >&2\nexit 0'),
      log,
    });
    expect(warnings).toEqual([]);
  });
});
