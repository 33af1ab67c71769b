/**
 * The `target` input's edges that the mutation run found untested: invisible characters,
 * foreign architectures named anywhere but at the start, ties and the limit of the "did you
 * mean" distance, the oldest CPU among several boards, duplicates, and the full list of names.
 */
import { describe, expect, test } from '@jest/globals';
import { closest, resolveTargets } from '../../src/targets/resolve.js';
import { BOARDS, TARGETS } from '../../src/targets/table.js';

const refusal = (input: string): string => {
  try {
    resolveTargets(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
};

describe('invisible characters pasted along with a name', () => {
  test('a zero-width space is shown as its code point, with the name it hides', () => {
    const m = refusal('pi4\u200b');
    expect(m).toMatch(/^input 'target': unknown target /);
    expect(m).toContain("unknown target 'pi4<U+200B>'");
    expect(m).toContain('it contains an invisible character (U+200B)');
    expect(m).toContain("Did you mean 'pi4'?");
  });
  test('each distinct one once, upper-case hex padded to four digits', () => {
    const m = refusal('p\u00adi4\u00ad\u2060');
    expect(m).toContain('(U+00AD, U+2060)');
    expect(m).toContain("'p<U+00AD>i4<U+00AD><U+2060>'");
  });
  test('fullwidth letters are folded for the suggestion only', () => {
    expect(refusal('ｐｉ４')).toMatch(
      /^input 'target': unknown target 'ｐｉ４'\. Did you mean 'pi4'\?/,
    );
  });
});

describe('foreign architectures', () => {
  test.each(['i686-unknown-linux-gnu', 'i386-pc', 'riscv64gc-unknown-linux-gnu', 'thumbv7em-none'])(
    '%s is not a Raspberry Pi target',
    (w) =>
      expect(refusal(w)).toMatch(
        new RegExp(`^input 'target': '${w}' is not a Raspberry Pi target`),
      ),
  );
  test.each(['i786-unknown-linux-gnu', 'pi-riscv', 'my-x86_64'])(
    '%s is only an unknown name (the architecture must start the word)',
    (w) => expect(refusal(w)).toMatch(new RegExp(`^input 'target': unknown target '${w}'`)),
  );
});

describe('closest', () => {
  test('the first of equally near candidates', () => {
    expect(closest('pa', ['pb', 'pc'])).toBe('pb');
  });
  test('accepted up to max(2, length / 3) edits, not one more', () => {
    expect(closest('pi', ['pixy'])).toBe('pixy');
    expect(closest('pi', ['pixyz'])).toBeUndefined();
    expect(closest('abcdefghi', ['abcdefxyz'])).toBe('abcdefxyz');
    expect(closest('abcdefghi', ['abcdewxyz'])).toBeUndefined();
  });
});

describe('several boards of one target', () => {
  test.each([
    ['pi5, pi4', 'cortex-a72'],
    ['pi4 pi3', 'cortex-a53'],
    ['pi5 pi3', 'cortex-a53'],
    ['pi5\npi4 pi-zero-2', 'cortex-a53'],
  ])('%j is smoke-run on the oldest core: %s', (input, cpu) => {
    expect(resolveTargets(input).map((t) => t.qemuCpu)).toEqual([cpu]);
  });
  test('a board named twice is listed once', () => {
    expect(resolveTargets('pi4, pi4 pi5')[0]?.boards).toEqual(['pi4', 'pi5']);
  });
});

test('a refusal lists every board and every triple', () => {
  const m = refusal('nope');
  expect(m).toContain(`Valid boards: ${BOARDS.map((b) => b.name).join(', ')} (add ':32'`);
  expect(m).toContain(`valid triples: ${TARGETS.map((t) => t.triple).join(', ')}.`);
  expect(m).toContain('Valid boards: pi1, pi-zero, pi-zero-w, pi2,');
  expect(m).toContain('valid triples: aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf,');
});

test('no near name: no suggestion at all', () => {
  expect(refusal('zzzzzzzz')).toMatch(
    /^input 'target': unknown target 'zzzzzzzz'\. Valid boards: /,
  );
});
