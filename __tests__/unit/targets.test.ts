import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { boardsRunning, closest, resolveTargets } from '../../src/targets/resolve.js';
import {
  BOARDS,
  PI_OS,
  TARGETS,
  compareVersions,
  piOsRunningGlibc,
  targetSpec,
  tripleCargoKey,
  tripleEnvSuffix,
} from '../../src/targets/table.js';

const triples = (input: string) => resolveTargets(input).map((t) => t.spec.triple);

describe('target table', () => {
  test('six targets, each with a twin of the other libc at the same CPU level', () => {
    expect(TARGETS).toHaveLength(6);
    for (const t of TARGETS) {
      const twin = targetSpec(t.twin);
      expect(twin.twin).toBe(t.triple);
      expect(twin.cpu).toBe(t.cpu);
      expect(twin.libc).not.toBe(t.libc);
    }
  });
  test('every board resolves to a known target', () => {
    for (const b of BOARDS) {
      expect(() => targetSpec(b.triple)).not.toThrow();
      if (b.triple32) expect(targetSpec(b.triple32).cpu).toBe('v7');
    }
  });
  test('env names follow cargo and cc-rs conventions', () => {
    expect(tripleCargoKey('armv7-unknown-linux-gnueabihf')).toBe('ARMV7_UNKNOWN_LINUX_GNUEABIHF');
    expect(tripleEnvSuffix('aarch64-unknown-linux-gnu')).toBe('aarch64_unknown_linux_gnu');
  });
  test('versions compare numerically and map to Pi OS releases', () => {
    expect(compareVersions('2.9', '2.28')).toBeLessThan(0);
    expect(compareVersions('2.31', '2.31')).toBe(0);
    expect(piOsRunningGlibc('2.34')).toEqual(['bookworm', 'trixie']);
    expect(piOsRunningGlibc('2.28')).toEqual(PI_OS.map((o) => o.name));
    expect(piOsRunningGlibc(null)).toHaveLength(4);
  });
});

describe('resolveTargets', () => {
  test('boards map to their Pi OS target', () => {
    expect(triples('pi-zero')).toEqual(['arm-unknown-linux-gnueabihf']);
    expect(triples('pi2')).toEqual(['armv7-unknown-linux-gnueabihf']);
    expect(triples('pi5')).toEqual(['aarch64-unknown-linux-gnu']);
  });
  test('separators: commas, spaces and newlines; duplicates merge with their boards', () => {
    const r = resolveTargets('pi3, pi4\npi5  pi-zero');
    expect(r.map((t) => t.spec.triple)).toEqual([
      'aarch64-unknown-linux-gnu',
      'arm-unknown-linux-gnueabihf',
    ]);
    expect(r[0]?.boards).toEqual(['pi3', 'pi4', 'pi5']);
    // The oldest CPU among the boards, so a smoke run proves the code runs on all of them.
    expect(r[0]?.qemuCpu).toBe('cortex-a53');
    expect(r[1]?.qemuCpu).toBe('arm1176');
  });
  test(':32 and :musl modifiers', () => {
    expect(triples('pi4:32')).toEqual(['armv7-unknown-linux-gnueabihf']);
    expect(resolveTargets('pi4:32')[0]?.qemuCpu).toBe('cortex-a7');
    expect(triples('pi-zero:musl')).toEqual(['arm-unknown-linux-musleabihf']);
    expect(triples('pi4:32:musl')).toEqual(['armv7-unknown-linux-musleabihf']);
    expect(triples('PI4:MUSL')).toEqual(['aarch64-unknown-linux-musl']);
  });
  test('triples are accepted as is, with every board that runs them', () => {
    const [t] = resolveTargets('armv7-unknown-linux-gnueabihf');
    expect(t?.boards).toContain('pi2');
    expect(t?.boards).toContain('pi5');
    expect(t?.boards).not.toContain('pi-zero');
    expect(t?.qemuCpu).toBe('cortex-a7');
    expect(boardsRunning(targetSpec('arm-unknown-linux-gnueabihf'))).toHaveLength(BOARDS.length);
  });
  test.each([
    ['', /is empty/],
    ['p4', /unknown target 'p4'\. Did you mean 'pi4'\?/],
    ['pi-zer0', /Did you mean 'pi-zero'/],
    ['x86_64-unknown-linux-gnu', /not a Raspberry Pi target/],
    ['riscv64gc-unknown-linux-gnu', /not a Raspberry Pi target/],
    ['pi2:32', /only runs a 32-bit Pi OS/],
    ['pi4:64', /unknown modifier ':64'/],
  ])('%j is refused with a message naming the input', (input, re) => {
    let err: unknown;
    try {
      resolveTargets(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^input 'target': /);
    expect((err as InputError).message).toMatch(re);
  });
  test('closest() only suggests near names', () => {
    expect(closest('pi44', ['pi4', 'pi400'])).toBe('pi4');
    expect(closest('banana', ['pi4', 'pi400'])).toBeUndefined();
  });
});
