/** The most of a value an error message echoes: enough to recognise it, never a wall of text. */
export const SHOWN_CHARS = 200;

/** The first `max` characters (whole code points) and the length, or null when it is short. */
function cut(value: string, max: number): { head: string; length: number } | null {
  const chars = Array.from(value);
  return chars.length <= max ? null : { head: chars.slice(0, max).join(''), length: chars.length };
}

/** A value whole when short, else its first `max` characters (whole code points) and its length. */
export function shorten(value: string, max = SHOWN_CHARS): string {
  const c = cut(value, max);
  return c ? `${c.head}… (${c.length} characters)` : value;
}

/** A value as an error message quotes it, shortened like `shorten`. */
export function shown(value: string, max = SHOWN_CHARS): string {
  const c = cut(value, max);
  return c ? `'${c.head}…' (${c.length} characters)` : `'${value}'`;
}
