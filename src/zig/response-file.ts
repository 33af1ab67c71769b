/**
 * GNU-style response files (`@file`), as rustc writes them when a link line is too long for
 * the OS: one argument per line, `\` and space escaped with a backslash. Reading follows the
 * GNU/clang tokenizer (whitespace separates; backslash escapes; quotes group), so a file
 * written by another tool reads the same way zig itself would read it.
 */

export function parseResponseFile(text: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inArg = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inArg = true;
    } else if (quote) {
      if (c === quote) quote = null;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(cur);
      cur = '';
      inArg = false;
    } else {
      cur += c;
      inArg = true;
    }
  }
  if (inArg) args.push(cur);
  return args;
}

/** One argument a line; everything the reader treats specially is backslash-escaped. */
export function formatResponseFile(args: readonly string[]): string {
  // An empty argument would be an empty line, which reads as no argument at all.
  const one = (a: string) => (a === '' ? '""' : a.replace(/[\\\s'"]/g, (c) => `\\${c}`));
  return args.map((a) => `${one(a)}\n`).join('');
}
