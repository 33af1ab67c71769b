/**
 * From host facts to what cargo and the smoke run get, per target: hostRun's decision through
 * configureCargo, for every host row with and without qemu. Real runner links in a temp dir.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { configureCargo } from '../../src/cargo/configure.js';
import { howRun, type LinkPlan, type ZigPlan } from '../../src/cargo/env.js';
import { resolveTargets } from '../../src/targets/resolve.js';
import { hostRun, type HostFacts } from '../../src/zig/host-run.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-host-runners-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

// One target of each kind; pi-zero's glibc build is zig-linked, so it runs under cortex-a7.
const targets = resolveTargets('pi4, pi4:musl, pi2, pi-zero, pi-zero:musl');
const layout = (t: string) => ({
  root: `/tc/${t}`,
  binPrefix: `/tc/${t}/bin/x-`,
  sysroot: `/sr/${t}`,
});
const zig: ZigPlan = {
  kind: 'zig',
  zig: '/z/zig',
  version: '0.11.0',
  target: 'arm-linux-gnueabihf.2.31',
  cpu: 'arm1176jzf_s',
  wrappers: { dir: '/w', cc: '/w/cc', cxx: '/w/c++', ar: '/w/ar', ranlib: '/w/ranlib' },
  runSysroot: '/usr/arm-linux-gnueabihf',
  runCpu: 'cortex-a7',
  cacheDir: '/zc',
};
const plans = new Map<string, LinkPlan>(
  targets.map((t) => {
    if (t.spec.libc === 'musl') return [t.spec.triple, { kind: 'rust-lld' }];
    if (t.spec.cpu === 'v6') return [t.spec.triple, zig];
    const tools = { cxx: true, ranlib: true, strip: true };
    return [t.spec.triple, { kind: 'gcc', layout: layout(t.spec.triple), tools }];
  }),
);

const LINUX_X64: HostFacts = { os: 'linux', arch: 'x64', glibc: '2.39' };
const LINUX_ARM64: HostFacts = { os: 'linux', arch: 'arm64', glibc: '2.39' };
const MAC: HostFacts = { os: 'darwin', arch: 'arm64', glibc: null };
const BOTH = ['qemu-aarch64', 'qemu-arm'];

/** What each target gets on `host` with these qemu binaries found: the runner and its RUNNER. */
function setup(host: HostFacts, found: readonly string[]) {
  const qemus = new Map(found.map((q) => [q, `/usr/bin/${q}-static`]));
  const hostRuns = new Map(
    targets.map((t) => [
      t.spec.triple,
      hostRun(host, t.spec, t.qemuCpu, '2.31', qemus.has(t.spec.qemu.binary)),
    ]),
  );
  const run = fs.mkdtempSync(path.join(scratch, 'run-'));
  const cargo = configureCargo(targets, plans, qemus, run, new Map(), new Map(), hostRuns);
  const per = targets.map((t) => {
    const r = cargo.runners.get(t.spec.triple);
    const ran = r ? howRun(t, r) : null;
    const runnerVar = Object.keys(cargo.env).some(
      (k) => k.endsWith('_RUNNER') && k.includes(t.spec.triple.toUpperCase().replace(/-/g, '_')),
    );
    return `${t.boards.join('+')}: ${ran ? (ran.how === 'qemu' ? `qemu ${ran.cpu}` : 'native') : 'none'}${runnerVar ? ' RUNNER' : ''}`;
  });
  return { per, cargo };
}

const UNDER_QEMU = [
  'pi4: qemu cortex-a72 RUNNER',
  'pi4: qemu cortex-a72 RUNNER',
  'pi2: qemu cortex-a7 RUNNER',
  'pi-zero: qemu cortex-a7 RUNNER',
  'pi-zero: qemu arm1176 RUNNER',
];

describe('runners per host row', () => {
  test('x86_64 Linux with qemu, and arm64 Linux with qemu: every target under the board CPU', () => {
    for (const host of [LINUX_X64, LINUX_ARM64]) {
      const { per, cargo } = setup(host, BOTH);
      expect(per).toEqual(UNDER_QEMU);
      expect(cargo.missingQemu).toEqual([]);
    }
  });

  test('x86_64 Linux without qemu: no runner, qemu reported missing', () => {
    const { per, cargo } = setup(LINUX_X64, []);
    expect(per.every((l) => l.endsWith(': none'))).toBe(true);
    expect(cargo.missingQemu.sort()).toEqual(BOTH);
  });

  test('arm64 Linux without qemu-aarch64: aarch64 native (no RUNNER), 32-bit ARM under qemu-arm', () => {
    const { per, cargo } = setup(LINUX_ARM64, ['qemu-arm']);
    expect(per).toEqual([
      'pi4: native',
      'pi4: native',
      'pi2: qemu cortex-a7 RUNNER',
      'pi-zero: qemu cortex-a7 RUNNER',
      'pi-zero: qemu arm1176 RUNNER',
    ]);
    // A native target is not a missing qemu: its warning is the native note instead.
    expect(cargo.missingQemu).toEqual([]);
    const note = cargo.runners.get('aarch64-unknown-linux-gnu');
    expect(note?.kind === 'native' && note.note).toContain('runs natively on this linux/arm64');
  });

  test('arm64 Linux with no qemu at all: aarch64 native, 32-bit ARM not run, qemu-arm missing', () => {
    const { per, cargo } = setup(LINUX_ARM64, []);
    expect(per).toEqual([
      'pi4: native',
      'pi4: native',
      'pi2: none',
      'pi-zero: none',
      'pi-zero: none',
    ]);
    expect(cargo.missingQemu).toEqual(['qemu-arm']);
  });

  test('macOS: nothing runs, whatever qemu lookups say, and no qemu is called missing', () => {
    for (const found of [[], BOTH]) {
      const { per, cargo } = setup(MAC, found);
      expect(per.every((l) => l.endsWith(': none'))).toBe(true);
      expect(cargo.missingQemu).toEqual([]);
    }
  });
});
