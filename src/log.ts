import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';
import { inertText } from './log-text.js';

/** The logging port the stages use, so they never import @actions/core themselves. */
export interface Log {
  /** A plain log line; whatever it holds, no line of it is read as a workflow command. */
  info(message: string): void;
  warning(message: string, title?: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while the runner ignores workflow commands: for blocks of output the action
   * forwards without reading it line by line (cargo's stderr). Problem matchers still see it.
   * No annotation can be issued inside.
   */
  untrusted<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * How far a long transfer is (bytes so far, of `total` when known), called often: the sink
   * decides what to show. The Actions log gets none (its lines are kept, not redrawn).
   */
  progress?(label: string, done: number, total: number | null): void;
}

/** The Actions runner's log: groups fold, warnings become annotations. */
export const coreLog: Log = {
  info: (m) => core.info(inertText(m)),
  // core escapes an annotation's message and title (%0A for a newline): they stay one command.
  warning: (m, title) => core.warning(m, title ? { title } : {}),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
  untrusted: async (fn) => {
    // A fresh random token per block: the block's content cannot know it, so cannot end it.
    const token = randomBytes(16).toString('hex');
    core.info(`::stop-commands::${token}`);
    try {
      return await fn();
    } finally {
      core.info(`::${token}::`);
    }
  },
};
