/**
 * The CLI's flags, made from the input table (src/input-table.ts) the action's inputs come from,
 * parsed with node's util.parseArgs. Pure: argv in, values or one usage error out.
 */
import { parseArgs } from 'node:util';
import { INPUTS, type InputGroup, type InputName, type InputSpec } from '../input-table.js';
import type { InputGetter } from '../inputs.js';
import { showValue } from '../log-text.js';

/** The table, widened: its optional fields read as absent rather than as type errors. */
const TABLE: readonly InputSpec[] = INPUTS;

export type CommandName = 'build' | 'run' | 'env' | 'verify';

/** A flag of the CLI's own (not an input), for some subcommands. */
interface CliFlag {
  readonly name: string;
  readonly boolean: boolean;
  readonly description: string;
  readonly values?: readonly string[];
  readonly default?: string;
}

const CLI_FLAGS = {
  json: { name: 'json', boolean: true, description: 'Print the result as JSON on stdout.' },
  quiet: { name: 'quiet', boolean: true, description: 'Print only warnings, errors and results.' },
  verbose: {
    name: 'verbose',
    boolean: true,
    description: 'Also print debug lines and stage times.',
  },
  help: { name: 'help', boolean: true, description: 'Print this help.' },
  // Keyed `syntax`, not after the flag: the no-shell scan would read that key as a spawn option.
  syntax: {
    name: 'shell',
    boolean: false,
    description: 'Shell syntax of the exports.',
    values: ['sh', 'fish'],
    default: 'sh',
  },
} as const satisfies Record<string, CliFlag>;

type CliFlagName = keyof typeof CLI_FLAGS;

interface CommandSpec {
  readonly usage: string;
  readonly summary: string;
  readonly groups: readonly InputGroup[];
  /** Inputs of other groups this subcommand still takes. */
  readonly alsoInputs?: readonly InputName[];
  readonly cliFlags: readonly CliFlagName[];
  /** Positional arguments: none, exactly one file, or the program's arguments after `--`. */
  readonly positionals: 'none' | 'file' | 'after-dashes';
  /** Inputs the subcommand fixes whatever the table says (the CLI never uploads). */
  readonly fixed: Partial<Record<InputName, string>>;
}

const LOCAL: Partial<Record<InputName, string>> = { upload: 'false', cache: 'false' };

export const COMMANDS: Record<CommandName, CommandSpec> = {
  build: {
    usage: 'rust-rpi-cross build --target BOARDS [flags]',
    summary:
      'Cross-build, verify and package, as the action does, without uploading: binaries where cargo puts them, archives and SHA256SUMS in target/rpi-cross/.',
    groups: ['target', 'toolchain', 'cargo', 'check', 'package'],
    cliFlags: ['json', 'quiet', 'verbose', 'help'],
    positionals: 'none',
    fixed: LOCAL,
  },
  run: {
    usage: 'rust-rpi-cross run --target BOARD [--bin NAME] [flags] -- [ARGS…]',
    summary: "Build one target, then run its binary under qemu with the board's CPU, passing ARGS.",
    groups: ['target', 'toolchain', 'cargo', 'check'],
    cliFlags: ['quiet', 'verbose', 'help'],
    positionals: 'after-dashes',
    fixed: { ...LOCAL, command: 'build' },
  },
  env: {
    usage: 'rust-rpi-cross env --target BOARDS [--shell sh|fish] [flags]',
    summary:
      'Print the exports (linker, CC/AR, qemu runner with the board\'s CPU, pkg-config) for a plain cargo build / cargo run in your shell, e.g. eval "$(rust-rpi-cross env --target pi4)".',
    groups: ['target', 'toolchain'],
    cliFlags: ['syntax', 'quiet', 'verbose', 'help'],
    positionals: 'none',
    fixed: LOCAL,
  },
  verify: {
    usage: 'rust-rpi-cross verify FILE --target BOARD [--pi-os RELEASE]',
    summary:
      'Check an existing binary against a board: architecture, float ABI, CPU level (with the ARMv6 instruction scan), interpreter, start files and the Pi OS glibc floor.',
    groups: ['target'],
    cliFlags: ['json', 'help'],
    positionals: 'file',
    fixed: LOCAL,
  },
};

/** A mistake in the command line: one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedCommand {
  command: CommandName;
  /** Raw input text by name, as core.getInput would give it (defaults from the table). */
  getInput: InputGetter;
  /** Which inputs were written on the command line. */
  given: ReadonlySet<InputName>;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  help: boolean;
  /** The syntax of the exports (--shell). */
  syntax: 'sh' | 'fish';
  positionals: string[];
}

function inputsOf(spec: CommandSpec): InputSpec[] {
  return TABLE.filter(
    (i) => spec.groups.includes(i.group) || (spec.alsoInputs ?? []).includes(i.name as InputName),
  );
}

const negatable = (i: InputSpec) => i.boolean === true && !i.name.startsWith('no-');

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  return (d[a.length] as number[])[b.length] as number;
}

/** Parses `rust-rpi-cross <command> …` (argv without node and the script). */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help')
    return helpOnly('build', true);
  if (!(command in COMMANDS))
    throw new UsageError(
      `unknown command ${quote(command)}: write one of ${Object.keys(COMMANDS).join(', ')} (rust-rpi-cross --help)`,
    );
  const name = command as CommandName;
  const spec = COMMANDS[name];
  const inputs = inputsOf(spec);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const i of inputs) {
    options[i.name] = { type: i.boolean ? 'boolean' : 'string', multiple: true };
    if (negatable(i)) options[`no-${i.name}`] = { type: 'boolean', multiple: true };
  }
  for (const f of spec.cliFlags) {
    const flag: CliFlag = CLI_FLAGS[f];
    options[flag.name] = { type: flag.boolean ? 'boolean' : 'string', multiple: true };
  }
  const { tokens } = parseArgs({
    args: [...rest],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string>();
  const cli = new Map<string, string>();
  const positionals: string[] = [];
  let afterDashes = false;
  for (const t of tokens) {
    if (t.kind === 'option-terminator') {
      afterDashes = true;
      continue;
    }
    if (t.kind === 'positional') {
      if (afterDashes ? spec.positionals !== 'after-dashes' : spec.positionals !== 'file')
        throw new UsageError(
          `${name}: unexpected argument ${quote(t.value)}; ${
            spec.positionals === 'after-dashes'
              ? `the program's arguments go after '--', e.g. rust-rpi-cross run --target pi4 -- --version`
              : `values go after their flag, e.g. --target ${t.value}`
          }`,
        );
      positionals.push(t.value);
      continue;
    }
    const flagName = t.rawName === '-h' ? 'help' : t.name;
    const known = options[flagName];
    if (!known || (t.rawName.length === 2 && t.rawName !== '-h'))
      throw new UsageError(unknownFlag(name, t.rawName, Object.keys(options)));
    if (known.type === 'boolean' && t.inlineValue) {
      const base = flagName.replace(/^no-/, '');
      const yes = TABLE.find((i) => i.name === flagName && i.boolean);
      throw new UsageError(
        `${t.rawName} takes no value: write ${yes && negatable(yes) ? `--${base} or --no-${base}` : `--${flagName}`}`,
      );
    }
    let value: string;
    if (known.type === 'string') {
      if (
        t.value === undefined ||
        (!t.inlineValue && t.value.startsWith('--') && t.value.slice(2) in options)
      )
        throw new UsageError(`--${flagName} needs a value, e.g. ${example(flagName)}`);
      value = t.value;
    } else value = 'true';
    const input = TABLE.find((i) => i.name === flagName || `no-${i.name}` === flagName);
    const target = input && (input.name === flagName || negatable(input)) ? input.name : null;
    const key = target ?? flagName;
    const store = target ? values : cli;
    if (store.has(key))
      throw new UsageError(
        `--${key} is given twice: write it once${target && !input?.boolean ? ` (lists take commas, e.g. --${key} a,b)` : ''}`,
      );
    store.set(key, target && flagName !== key ? 'false' : value);
  }
  const syntax = cli.get('shell') ?? 'sh';
  if (syntax !== 'sh' && syntax !== 'fish')
    throw new UsageError(
      `--shell ${quote(syntax)} is not a shell this prints for: write --shell sh or --shell fish`,
    );
  const table = Object.fromEntries(TABLE.map((i) => [i.name, i.default])) as Record<
    InputName,
    string
  >;
  return {
    command: name,
    getInput: (n) => spec.fixed[n] ?? values.get(n) ?? table[n],
    given: new Set(values.keys() as Iterable<InputName>),
    json: cli.has('json'),
    quiet: cli.has('quiet'),
    verbose: cli.has('verbose'),
    help: cli.has('help'),
    syntax,
    positionals,
  };
}

function helpOnly(command: CommandName, general: boolean): ParsedCommand {
  return {
    command,
    getInput: () => '',
    given: new Set(),
    json: false,
    quiet: false,
    verbose: false,
    help: true,
    syntax: 'sh',
    positionals: general ? ['--all'] : [],
  };
}

const quote = (s: string) => `'${showValue(s)}'`;

function unknownFlag(command: CommandName, raw: string, names: readonly string[]): string {
  const bare = raw.replace(/^-+/, '');
  const input = TABLE.find((i) => i.name === bare);
  if (input?.group === 'action')
    return `${raw} is an input of the GitHub Action only: the CLI never uploads or uses the Actions cache (its archives are in target/rpi-cross/); remove it`;
  if (input)
    return `${raw} does not apply to 'rust-rpi-cross ${command}'; see rust-rpi-cross ${command} --help`;
  const near = names
    .map((n) => [n, distance(bare, n)] as const)
    .filter(([, d]) => d <= Math.max(2, bare.length / 4))
    .sort((a, b) => a[1] - b[1])[0];
  return `unknown flag ${quote(raw)}${near ? `: did you mean --${near[0]}?` : ''} (rust-rpi-cross ${command} --help lists them)`;
}

const EXAMPLES = new Map([
  ['target', '--target pi4,pi-zero'],
  ['pi-os', '--pi-os bullseye'],
  ['smoke-test', '--smoke-test=--version'],
  ['args', "--args='--config net.git-fetch-with-cli=true'"],
  ['shell', '--shell fish'],
]);

function example(flag: string): string {
  const input = TABLE.find((i) => i.name === flag);
  return EXAMPLES.get(flag) ?? `--${flag} ${input?.default || 'VALUE'}`;
}

/** --help text for one subcommand, or for all of them. */
export function helpText(command: CommandName | 'all'): string {
  if (command === 'all') {
    const lines = [
      'rust-rpi-cross: cross-build Rust for Raspberry Pi boards on your own machine',
      '',
    ];
    for (const spec of Object.values(COMMANDS))
      lines.push(`  ${spec.usage}`, `      ${wrap(spec.summary, 6).trimStart()}`, '');
    lines.push('rust-rpi-cross <command> --help lists the flags of each command.');
    return `${lines.join('\n')}\n`;
  }
  const spec = COMMANDS[command];
  const lines = [`Usage: ${spec.usage}`, '', wrap(spec.summary, 0), ''];
  const row = (flag: string, text: string) => {
    lines.push(`  ${flag}`);
    lines.push(wrap(text, 6));
  };
  lines.push("Flags (the action's inputs of the same name, same values and defaults):");
  for (const i of inputsOf(spec)) {
    const fixed = spec.fixed[i.name as InputName];
    if (fixed !== undefined) continue;
    const flag = i.boolean
      ? negatable(i)
        ? `--${i.name}, --no-${i.name}`
        : `--${i.name}`
      : `--${i.name} VALUE`;
    const dflt = i.required ? ' (required)' : i.default ? ` (default: ${i.default})` : '';
    row(flag, `${i.description}${dflt}`);
  }
  lines.push('', 'Other flags:');
  for (const f of spec.cliFlags) {
    const flag: CliFlag = CLI_FLAGS[f];
    row(
      flag.boolean ? `--${flag.name}` : `--${flag.name} ${(flag.values ?? ['VALUE']).join('|')}`,
      `${flag.description}${flag.default ? ` (default: ${flag.default})` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, indent: number, width = 100): string {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && indent + line.length + 1 + w.length > width) {
      out.push(pad + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(pad + line);
  return out.join('\n');
}
