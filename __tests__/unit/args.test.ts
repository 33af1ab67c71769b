import { describe, expect, test } from '@jest/globals';
import { splitArgs } from '../../src/args.js';

describe('splitArgs', () => {
  test.each([
    ['', []],
    ['--locked  -v', ['--locked', '-v']],
    ['--features "a b" -Z x', ['--features', 'a b', '-Z', 'x']],
    ["--config 'my dir/x.toml'", ['--config', 'my dir/x.toml']],
    ['a\\ b c', ['a b', 'c']],
    ['"say \\"hi\\""', ['say "hi"']],
    ["''", ['']],
    ['x\n  y', ['x', 'y']],
    // No expansion: these reach cargo as data.
    [
      '--features "a; touch /tmp/pwned" $HOME *',
      ['--features', 'a; touch /tmp/pwned', '$HOME', '*'],
    ],
    ['a|b;c&&d', ['a|b;c&&d']],
  ])('%j', (input, words) => {
    expect(splitArgs(input)).toEqual(words);
  });
  test.each([
    ['--features "a', /unterminated double quote/],
    ["it's", /unterminated single quote/],
    ['x \\', /lone backslash/],
  ])('%j is refused', (input, re) => {
    expect(() => splitArgs(input)).toThrow(re);
  });
});
