/** The most of a value an error message echoes: enough to recognise it, never a wall of text. */
export const SHOWN_CHARS = 200;

/** A value whole when short, else its first `max` characters (whole code points) and its length. */
export function shorten(value: string, max = SHOWN_CHARS): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  return `${chars.slice(0, max).join('')}… (${chars.length} characters)`;
}

/** A value as an error message quotes it, shortened like `shorten`. */
export function shown(value: string, max = SHOWN_CHARS): string {
  const chars = Array.from(value);
  if (chars.length <= max) return `'${value}'`;
  return `'${chars.slice(0, max).join('')}…' (${chars.length} characters)`;
}
