import { describe, expect, test } from '@jest/globals';
import { COMMANDS, UsageError, helpText, parseCommandLine } from '../../src/cli/flags.js';
import { wantsColor } from '../../src/cli/log.js';
import { json } from '../../src/cli/main.js';
import { fishQuote, renderExports } from '../../src/cli/render.js';
import { INPUTS } from '../../src/input-table.js';

function usage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('flags from the input table', () => {
  test('absent flags read as the table default; given ones as written', () => {
    const p = parseCommandLine(['build', '--target', 'pi4,pi2', '--pi-os=buster', '--locked']);
    expect(p.getInput('target')).toBe('pi4,pi2');
    expect(p.getInput('pi-os')).toBe('buster');
    expect(p.getInput('locked')).toBe('true');
    expect(p.getInput('linker')).toBe('auto');
    expect(p.getInput('archive-name')).toBe('{package}-{version}-{target}');
    expect([...p.given].sort()).toEqual(['locked', 'pi-os', 'target']);
  });

  test('--no-NAME turns a boolean off; the CLI never uploads', () => {
    const p = parseCommandLine(['build', '--target', 'pi4', '--no-strip']);
    expect(p.getInput('strip')).toBe('false');
    expect(p.getInput('upload')).toBe('false');
    expect(p.getInput('cache')).toBe('false');
  });

  test('every build flag is an input of the table, and every input but the action-only ones is a build flag', () => {
    const help = helpText('build');
    for (const i of INPUTS) {
      const listed = help.includes(`  --${i.name}`);
      expect([i.name, listed]).toEqual([i.name, i.group !== 'action']);
    }
  });

  test("run's program arguments come after --", () => {
    const p = parseCommandLine(['run', '--target', 'pi4', '--', '--version', 'x']);
    expect(p.positionals).toEqual(['--version', 'x']);
  });

  test.each([
    [['build', '--tagret', 'pi4'], /^unknown flag '--tagret': did you mean --target\?/],
    [['build', '--upload'], /^--upload is an input of the GitHub Action only/],
    [['env', '--archive', 'zip'], /^--archive does not apply to 'rust-rpi-cross env'/],
    [['build', '--locked=yes'], /^--locked takes no value: write --locked or --no-locked$/],
    [['build', '--target'], /^--target needs a value, e.g. --target pi4,pi-zero$/],
    [['build', '--target', '--json'], /^--target needs a value/],
    [
      ['build', '--target', 'pi4', '--target', 'pi2'],
      /^--target is given twice: write it once \(lists take commas/,
    ],
    [
      ['build', 'pi4'],
      /^build: unexpected argument 'pi4'; values go after their flag, e.g. --target pi4$/,
    ],
    [
      ['env', '--shell', 'csh'],
      /^--shell 'csh' is not a shell this prints for: write --shell sh or --shell fish$/,
    ],
    [['bild'], /^unknown command 'bild': write one of build, run, env, verify/],
    [['build', '-x'], /^unknown flag '-x'/],
  ])('%j → %s', (argv, re) => {
    const m = usage(argv);
    expect(m).toMatch(re);
    expect(m).not.toContain('\n');
  });

  test('each subcommand has help naming its usage', () => {
    for (const name of Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]) {
      expect(parseCommandLine([name, '--help']).help).toBe(true);
      expect(helpText(name)).toContain(COMMANDS[name].usage);
    }
    expect(helpText('verify')).toContain('--pi-os VALUE');
    expect(helpText('verify')).not.toContain('--linker');
  });
});

describe('exports', () => {
  test('sh and fish quote a runner with spaces as one value', () => {
    const vars = { R: "/a b/qemu -cpu x -L /it's", P: '1' };
    expect(renderExports(vars, 'sh')).toBe(
      "export R='/a b/qemu -cpu x -L /it'\\''s'\nexport P=1\n",
    );
    expect(renderExports(vars, 'fish')).toBe(
      "set -gx R '/a b/qemu -cpu x -L /it\\'s'\nset -gx P '1'\n",
    );
    expect(fishQuote('a\\b')).toBe("'a\\\\b'");
  });
});

describe('colour', () => {
  test('only on a terminal, and never with NO_COLOR set', () => {
    expect(wantsColor(true, {})).toBe(true);
    expect(wantsColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor(false, {})).toBe(false);
    expect(wantsColor(undefined, {})).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(wantsColor(true, { NO_COLOR: '' })).toBe(true);
  });
});

describe('output a workflow runner reads', () => {
  test('JSON keeps its value but never holds ##[ (a command anywhere in a line)', () => {
    const v = { smoke: 'ok ##[error]FAKE', line: '::error::x\n::warning::y' };
    const text = json(v);
    expect(text).not.toContain('##[');
    expect(text.split('\n').some((l) => l.trimStart().startsWith('::'))).toBe(false);
    expect(JSON.parse(text)).toEqual(v);
  });

  test('fish quoting splits ##[ the way sh quoting does', () => {
    expect(fishQuote('/a##[b')).toBe("'/a#''#[b'");
  });
});
