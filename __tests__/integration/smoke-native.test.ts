/**
 * The smoke stage's native path (an arm64 Linux host without qemu-aarch64) on real processes.
 * This machine cannot execute aarch64 code, so host programs stand in for the binary: what is
 * proven is the path itself — the binary started directly with the smoke-test arguments, the
 * same timeout and process-group kill as under qemu, and a result that says it ran natively.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import type { NativeRunner } from '../../src/cargo/env.js';
import { resolveTargets } from '../../src/targets/resolve.js';
import { smokeWith } from '../../src/verify/smoke.js';
import { alive, aliveAfterKill } from '../helpers/processes.js';

const [pi4] = resolveTargets('pi4');
const native: NativeRunner = { kind: 'native', note: 'aarch64-unknown-linux-gnu: runs natively' };
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-smoke-native-'));

let n = 0;
const started: string[] = [];
/** A sleep argument no other process on the machine has, so pgrep finds exactly ours. */
function sleeper(): string {
  const m = `41.${process.pid}${++n}`;
  started.push(m);
  return m;
}

afterAll(() => {
  for (const m of started) for (const pid of alive(m)) process.kill(pid, 'SIGKILL');
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** An executable the kernel starts itself, like a binary (a path with a space, too). */
function program(name: string, body: string): string {
  const p = path.join(scratch, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

describe('smoke run with a native runner', () => {
  test('runs the binary itself with the smoke-test arguments and reports a native run', async () => {
    const bin = program('pi hello', 'echo "pi-hello args=$# first=$1"; echo "$0" >&2');
    const r = await smokeWith(pi4!, native, bin, ['--version', 'x y'], 10000);
    expect(r).toMatchObject({ ok: true, problem: null, ran: { how: 'native', note: native.note } });
    expect(r.firstLine).toBe('pi-hello args=2 first=--version');
  });

  test('a binary that hangs is killed at the timeout, with everything it started', async () => {
    const a = sleeper();
    const b = sleeper();
    const bin = program('hangs', `sleep ${a} &\nsleep ${b}`);
    const t0 = Date.now();
    const r = await smokeWith(pi4!, native, bin, [], 1500);
    const ms = Date.now() - t0;
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/did not finish within 1\.5 s and was killed, with every process/);
    expect(r.ran.how).toBe('native');
    expect(ms).toBeLessThan(10000);
    // The group kill reached the background child too, not only the process we started.
    expect(await aliveAfterKill(a)).toEqual([]);
    expect(await aliveAfterKill(b)).toEqual([]);
  });

  test('a child left holding the output is killed and reported', async () => {
    const a = sleeper();
    const bin = program('leaves', `sleep ${a} &\necho started`);
    const r = await smokeWith(pi4!, native, bin, [], 10000);
    expect(r.problem).toMatch(
      /exited 0 but left a child process holding its output open; it was killed/,
    );
    expect(await aliveAfterKill(a)).toEqual([]);
  });

  test("SIGILL natively blames the host's own CPU, not a Pi CPU model that was never emulated", async () => {
    const bin = program('sigill', 'kill -ILL $$');
    const r = await smokeWith(pi4!, native, bin, [], 10000);
    expect(r.ok).toBe(false);
    expect(r.problem).toContain("died with 'Illegal instruction' on this host's own CPU");
    expect(r.problem).not.toContain("Pi's CPU model");
  });

  test("a binary that cannot start says the host's loader and glibc were used", async () => {
    const bin = program(
      'needs-glibc',
      'echo "./app: /lib/libc.so.6: version \\`GLIBC_2.99\' not found" >&2; exit 1',
    );
    const r = await smokeWith(pi4!, native, bin, [], 10000);
    expect(r.problem).toMatch(
      /^could not start \(a native run uses this host's loader and glibc\): .*GLIBC_2\.99' not found/,
    );
  });
});
