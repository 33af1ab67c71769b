import * as core from '@actions/core';

/** The logging port the stages use, so they never import @actions/core themselves. */
export interface Log {
  info(message: string): void;
  warning(message: string, title?: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** For unit tests and local scripts: plain console output, groups as headings. */
export const consoleLog: Log = {
  info: (m) => console.log(m),
  warning: (m) => console.log(`warning: ${m}`),
  debug: () => undefined,
  group: async (name, fn) => {
    console.log(`== ${name}`);
    return fn();
  },
};

/** The Actions runner's log: groups fold, warnings become annotations. */
export const coreLog: Log = {
  info: (m) => core.info(m),
  warning: (m, title) => core.warning(m, title ? { title } : {}),
  debug: (m) => core.debug(m),
  group: (name, fn) => core.group(name, fn),
};
