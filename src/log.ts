import * as core from '@actions/core';

/** The logging port the stages use, so they never import @actions/core themselves. */
export interface Log {
  info(message: string): void;
  warning(message: string, title?: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** The Actions runner's log: groups fold, warnings become annotations. */
export const coreLog: Log = {
  info: (m) => core.info(m),
  warning: (m, title) => core.warning(m, title ? { title } : {}),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
};
