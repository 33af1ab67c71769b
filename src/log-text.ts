/**
 * Text the action prints that came from outside (inputs, file names, cargo's and the binaries'
 * output) must never be read by the Actions runner as a workflow command. The runner (see
 * actions/runner ActionCommand.cs) splits its log at \r and \n, then takes a line as a command
 * when it starts with `::` after leading whitespace is trimmed, or when `##[<command>]` appears
 * ANYWHERE in it (the old syntax, still honoured). Everything here is pure.
 */

/** Where the runner (\r, \n) or a log viewer (NEL, LS, PS) starts a new line. */
const LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029]/;

/** Characters that may come before `::` and still be trimmed away or be invisible. */
const LEADING_IGNORABLE = /^[\s\p{Cc}\p{Cf}]*/u;

/** Whether the runner could take (part of) this one line as a workflow command. */
export function isCommandLike(line: string): boolean {
  return line.replace(LEADING_IGNORABLE, '').startsWith('::') || line.includes('##[');
}

/**
 * One line made inert, visibly: a leading `::` gets a backslash in front and every `##[` becomes
 * `##\[`. Lines that are not command-like are returned unchanged.
 */
export function inertLine(line: string): string {
  if (!isCommandLike(line)) return line;
  const lead = (LEADING_IGNORABLE.exec(line) as RegExpExecArray)[0];
  let rest = line.slice(lead.length);
  if (rest.startsWith('::')) rest = `\\${rest}`;
  return `${lead}${rest}`.replace(/##\[/g, '##\\[');
}

/**
 * Text of any origin as log lines none of which is a workflow command: split where the runner
 * would split it, each line made inert, joined with \n.
 */
export function inertText(text: string): string {
  return text.split(LINE_BREAK).map(inertLine).join('\n');
}

/** C0/C1 controls, DEL and the Unicode line/paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x80 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * An untrusted value shown inside a message: on one line, with control characters written as
 * escapes (`\n`, `\r`, `\x1b`), and no `##[`.
 */
export function showValue(value: string): string {
  return value.replace(CONTROL, escapeControl).replace(/##\[/g, '##\\[');
}

/** Words a POSIX shell reads as themselves, without quotes. */
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word as a POSIX shell would need it typed, so an echoed command line is exactly what ran
 * and stays one line: plain when safe, in single quotes otherwise, and in ANSI-C quotes ($'…')
 * when it holds control characters (a newline shows as $'\n'). A `##[` inside is split by
 * quoting (`'#''#['`), which the shell joins back.
 */
export function shellQuote(word: string): string {
  if (SHELL_SAFE.test(word)) return word;
  if (!HAS_CONTROL.test(word)) return `'${word.replace(/'/g, `'\\''`).replace(/##\[/g, "#''#[")}'`;
  const body = word
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(CONTROL, escapeControl)
    .replace(/##\[/g, '#\\x23[');
  return `$'${body}'`;
}

/** A command and its arguments as one shell-quoted line. */
export function commandLine(program: string, args: readonly string[]): string {
  return [program, ...args].map(shellQuote).join(' ');
}

/** An environment assignment as a shell would take it: `NAME=value`, the value quoted. */
export function envLine(name: string, value: string): string {
  return `${shellQuote(name)}=${value === '' ? "''" : shellQuote(value)}`;
}
