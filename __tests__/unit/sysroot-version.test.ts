import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  compareVersions,
  normaliseRelation,
  parseVersion,
  satisfies,
} from '../../src/sysroot/version.js';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('Debian version comparison', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '1.0-0', 0], // an absent revision equals revision 0
    ['1.002', '1.2', 0], // digit runs compare as numbers
    ['1.0~rc1', '1.0', -1], // '~' sorts before the end of the string
    ['1.0~~', '1.0~~a', -1],
    ['1.0~~a', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0', '1.0a', -1], // the end sorts before a letter
    ['1.0a', '1.0.1', -1], // letters sort before other marks
    ['1.0+b1', '1.0.1', -1], // '+' (43) before '.' (46)
    ['1:0.1', '2.0', 1], // the epoch wins
    ['10', '9', 1],
    ['3.0.11-1~deb12u2', '3.0.11-1', -1],
    ['2.36-9+deb12u7', '2.36-9+deb12u10', -1],
    ['1.1.1w-0+deb11u1', '1.1.1n-0+deb11u5', 1],
    ['2:1.2-1', '1:9.9-9', 1],
    ['1.2-3-4', '1.2-3', 1], // the revision starts at the last '-'
    ['1.0A', '1.0+', -1], // upper-case letters are letters too, A and Z included
    ['1.0Z', '1.0+', -1],
    ['1.0z', '1.0+', -1],
    ['1.5', '1.', 1], // a digit left over after the other string ended
    ['12:1.0', '9:2.0', 1], // an epoch of two digits
  ])('%s vs %s → %i', (a, b, want) => {
    expect(sign(compareVersions(a, b))).toBe(want);
    expect(sign(compareVersions(b, a))).toBe(0 - want || 0);
  });

  it('agrees with dpkg --compare-versions on mixed pairs', () => {
    const pool = [
      '0',
      '1',
      '1.0',
      '1.0-1',
      '1.0-1~bpo1',
      '1.0~beta',
      '1.0+dfsg',
      '1.0+dfsg-1',
      '1.0a',
      '1.00',
      '1:1.0',
      '1.0.0',
      '1.0-a',
      '1.0-1+rpt1',
      '1.0-1+rpi1',
      '2.0~~',
      '2.0~',
      '2.0',
      '2.0-0.1',
      '3.0.20-1~deb12u1',
      '3.0.20-1~deb12u2',
      '3.5.4-1',
      '3.5.4-1+b1',
      '1.14.10-1~deb12u1',
      'a1.0',
    ].filter((v) => !v.startsWith('a')); // dpkg only warns on a non-digit start; parseVersion refuses it
    const pairs: [string, string][] = [];
    for (let i = 0; i < pool.length; i++) {
      for (let j = i + 1; j < pool.length; j += 3)
        pairs.push([pool[i] as string, pool[j] as string]);
    }
    for (const [a, b] of pairs) {
      const lt = (() => {
        try {
          execFileSync('dpkg', ['--compare-versions', a, 'lt', b]);
          return true;
        } catch {
          return false;
        }
      })();
      const eq = (() => {
        try {
          execFileSync('dpkg', ['--compare-versions', a, 'eq', b]);
          return true;
        } catch {
          return false;
        }
      })();
      expect([a, b, sign(compareVersions(a, b))]).toEqual([a, b, lt ? -1 : eq ? 0 : 1]);
    }
  });

  it('parses epoch, upstream and revision', () => {
    expect(parseVersion('2:1.2.3-4+b1')).toEqual({ epoch: 2, upstream: '1.2.3', revision: '4+b1' });
    expect(parseVersion('1.2')).toEqual({ epoch: 0, upstream: '1.2', revision: '' });
    expect(() => parseVersion('x:1')).toThrow(/epoch/);
    expect(() => parseVersion('-1')).toThrow(/digit/);
    expect(() => parseVersion('1.0 beta')).toThrow(/invalid character/);
  });

  it('trims the text, and refuses an empty or non-numeric epoch and a bad revision', () => {
    expect(parseVersion(' 12:1.0-1 ')).toEqual({ epoch: 12, upstream: '1.0', revision: '1' });
    for (const v of [':1.0', 'x1:2', '1x:2']) expect(() => parseVersion(v)).toThrow(/bad epoch/);
    expect(() => parseVersion('a1.0')).toThrow(/does not start with a digit/);
    for (const v of ['1.0-_1', '1.0-1_'])
      expect(() => parseVersion(v)).toThrow(/invalid character/);
  });

  it('checks relations, the obsolete < and > meaning <= and >=', () => {
    expect(satisfies('1.1.1w-0+deb11u1', '>=', '1.1.1')).toBe(true);
    expect(satisfies('3.0.20-1', '<<', '3.0.20-1')).toBe(false);
    expect(satisfies('3.0.20-1', '<=', '3.0.20-1')).toBe(true);
    expect(satisfies('3.0.20-1', '=', '3.0.20-1')).toBe(true);
    expect(satisfies('3.0.20-1', '>>', '3.0.20-1')).toBe(false);
    expect(satisfies('3.0.21', '>>', '3.0.20-1')).toBe(true);
    // Each relation on both sides of the wanted version.
    const cases: [string, string, boolean, boolean][] = [
      ['<<', '1.0', true, false],
      ['<=', '1.0', true, false],
      ['=', '1.0', false, false],
      ['>=', '1.0', false, true],
      ['>>', '1.0', false, true],
    ];
    for (const [op, v, below, above] of cases) {
      const r = normaliseRelation(op);
      expect([op, r, satisfies('0.9', r, v), satisfies('1.1', r, v)]).toEqual([
        op,
        op,
        below,
        above,
      ]);
    }
    expect(normaliseRelation('<')).toBe('<=');
    expect(normaliseRelation('>')).toBe('>=');
    expect(() => normaliseRelation('=>')).toThrow(/relation/);
  });
});
