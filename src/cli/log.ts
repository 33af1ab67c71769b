import { randomBytes } from 'node:crypto';
import type { Log } from '../log.js';
import { inertText } from '../log-text.js';
import type { ProgressSink } from './progress.js';

export interface TerminalStyle {
  /** ANSI colours: only on a TTY and without NO_COLOR (https://no-color.org). */
  color: boolean;
}

/** Whether to colour a stream: a TTY, and NO_COLOR unset or empty. */
export function wantsColor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return isTTY === true && !env.NO_COLOR;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (on: boolean, s: string) => paint(on, '1', s);
export const red = (on: boolean, s: string) => paint(on, '31', s);
export const green = (on: boolean, s: string) => paint(on, '32', s);
export const yellow = (on: boolean, s: string) => paint(on, '33', s);

/**
 * The CLI's log, on stderr (stdout carries only results: the table, JSON, exports). Lines are
 * made inert the same way as in the action: the CLI may itself run inside a workflow step.
 */
export function cliLog(opts: {
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  write: (text: string) => void;
  /** Inside GitHub Actions forwarded blocks get the runner's stop-commands fence too. */
  inActions: boolean;
  /** Where download progress goes (none: not shown). */
  progress?: ProgressSink;
}): Log {
  const line = (s: string) => opts.write(`${opts.progress?.interrupt() ?? ''}${inertText(s)}\n`);
  return {
    progress: (label, done, total) => {
      if (opts.quiet || !opts.progress) return;
      const text = opts.progress.update(label, done, total);
      if (text) opts.write(text);
    },
    info: (m) => {
      if (!opts.quiet) line(m);
    },
    warning: (m, title) => line(yellow(opts.color, `warning${title ? ` (${title})` : ''}: `) + m),
    debug: (m) => {
      if (opts.verbose) line(`debug: ${m}`);
    },
    group: async (name, fn) => {
      if (!opts.quiet) line(bold(opts.color, `==> ${name}`));
      const t0 = Date.now();
      try {
        return await fn();
      } finally {
        if (opts.verbose) line(`    ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    },
    untrusted: async (fn) => {
      if (!opts.inActions) return fn();
      const token = randomBytes(16).toString('hex');
      opts.write(`::stop-commands::${token}\n`);
      try {
        return await fn();
      } finally {
        opts.write(`::${token}::\n`);
      }
    },
  };
}
