import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import {
  commandLine,
  envLine,
  inertText,
  isCommandLike,
  shellQuote,
  showValue,
} from '../../src/log-text.js';
import { runnerCommands } from '../helpers/runner-commands.js';

// Hostile text the action may print: each must reach the runner as no command at all.
const HOSTILE = [
  'a\n::error title=FAKE::x',
  'a\r::error title=FAKE::x',
  'a\r\n  ::warning::x',
  '::add-mask::secret',
  '\t \u00a0::error::x',
  '\u2003::error::x',
  'plain ##[error]FAKE',
  '####[warning]x',
  "it's ##[add-mask]s\nand ::ERROR::x",
  '::stop-commands::tok\n::error::x',
];

/** Breaks the runner does not split at but a log viewer may show as new lines. */
const VIEWER_BREAKS = ['x\u2028::error::y', 'x\u0085::error::y', 'x\u2029::error::y'];

describe('inertText: what the adapter prints for any info message', () => {
  test.each(HOSTILE.map((h) => [JSON.stringify(h), h]))('%s is no command', (_n, h) => {
    expect(runnerCommands(h).length).toBeGreaterThan(0);
    expect(runnerCommands(inertText(h))).toEqual([]);
  });
  test.each(VIEWER_BREAKS.map((h) => [JSON.stringify(h), h]))('%s shows no command', (_n, h) => {
    expect(inertText(h).split('\n')[1]).toBe('\\::error::y');
  });
  test('ordinary text is unchanged', () => {
    for (const t of ['cargo build --target x', 'a: b:: c', 'Compiling x (/w/a::b)', '# [x]']) {
      expect(inertText(t)).toBe(t);
      expect(isCommandLike(t)).toBe(false);
    }
  });
  test('escapes visibly', () => {
    expect(inertText('  ::error::x')).toBe('  \\::error::x');
    expect(inertText('see ##[error]x')).toBe('see ##\\[error]x');
  });
});

describe('showValue', () => {
  test('keeps a value on one line, controls as escapes', () => {
    expect(showValue('a\nb\rc\x1b[1m\u2028')).toBe('a\\nb\\rc\\x1b[1m\\u2028');
    expect(runnerCommands(`smoke: ${showValue('ok\r::warning::x ##[error]y')}`)).toEqual([]);
  });
});

describe('shellQuote / commandLine', () => {
  test.each([
    ['--locked', '--locked'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
    ['a\n::error title=FAKE::x', "$'a\\n::error title=FAKE::x'"],
    ['##[error]x', "'#''#[error]x'"],
  ])('%j → %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
  test('a real shell reads every quoted word back as the same word', () => {
    const words = [...HOSTILE, 'a b', "it's", '$HOME', '*', 'tab\there', 'back\\slash', 'é ü', ''];
    const script = `printf '%s\\0' ${words.map(shellQuote).join(' ')}`;
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });
  test('the echoed command is one line and no command', () => {
    const line = commandLine('cargo', [
      'build',
      '--config',
      "env.X='''a\n::error title=FAKE::x'''",
    ]);
    expect(line).not.toMatch(/[\r\n]/);
    expect(runnerCommands(line)).toEqual([]);
    expect(line).toBe("cargo build --config $'env.X=\\'\\'\\'a\\n::error title=FAKE::x\\'\\'\\''");
  });
  test('envLine', () => {
    expect(envLine('CARGO_TARGET_X_RUNNER', '/q/qemu -cpu a72')).toBe(
      "CARGO_TARGET_X_RUNNER='/q/qemu -cpu a72'",
    );
    expect(envLine('CC_x', '/tc/bin/gcc')).toBe('CC_x=/tc/bin/gcc');
    expect(runnerCommands(envLine('X', '/a\n::error::b'))).toEqual([]);
  });
});
