/** Download progress for a terminal: a redrawn bar on a TTY, a few plain lines otherwise. */
import { inertLine, showValue } from '../log-text.js';

const MIB = 1048576;
const BAR = 24;

/** One progress line: label, bar (when the total is known), bytes, percent and rate. Pure. */
export function progressText(
  label: string,
  done: number,
  total: number | null,
  elapsedMs: number,
  bar: boolean,
): string {
  const mib = (n: number) => (n / MIB).toFixed(1);
  const rate = elapsedMs > 0 ? `${mib((done / elapsedMs) * 1000)} MiB/s` : '';
  // The label comes from a URL: one line, no controls, never the start of a workflow command.
  const name = inertLine(showValue(label));
  if (total === null || total <= 0) return `${name}: ${mib(done)} MiB ${rate}`.trimEnd();
  const part = Math.min(1, done / total);
  const filled = Math.round(part * BAR);
  const drawn = bar ? ` [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]` : '';
  const pct = Math.floor(part * 100);
  return `${name}:${drawn} ${mib(done)}/${mib(total)} MiB (${pct}%) ${rate}`.trimEnd();
}

export interface ProgressSink {
  /** A progress report; returns the text to write (with its line control), or null. */
  update(label: string, done: number, total: number | null): string | null;
  /** Before any other line: ends a bar being redrawn so the line does not overwrite it. */
  interrupt(): string;
}

/**
 * On a TTY the bar is redrawn in place at most every `everyMs` and finished with a newline; off
 * a TTY a plain line at each quarter of a known total, so a CI log gets four lines, not 40 000.
 */
export function progressSink(tty: boolean, now: () => number, everyMs = 100): ProgressSink {
  const started = new Map<string, number>();
  const shown = new Map<string, number>();
  let open = false;
  return {
    update(label, done, total) {
      const t = now();
      if (!started.has(label)) started.set(label, t);
      const elapsed = t - (started.get(label) as number);
      const finished = total !== null && done >= total;
      if (tty) {
        if (!finished && t - (shown.get(label) ?? -Infinity) < everyMs) return null;
        shown.set(label, t);
        open = !finished;
        return `\r\x1b[K${progressText(label, done, total, elapsed, true)}${finished ? '\n' : ''}`;
      }
      if (total === null) return null;
      const quarter = Math.floor((Math.min(done, total) / total) * 4);
      if (quarter <= (shown.get(label) ?? 0)) return null;
      shown.set(label, quarter);
      return `${progressText(label, done, total, elapsed, false)}\n`;
    },
    interrupt() {
      if (!open) return '';
      open = false;
      return '\r\x1b[K';
    },
  };
}
