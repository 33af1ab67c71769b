import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './test-env.js';

/** The bundled CLI, as `npx rust-rpi-cross` starts it (package.json `bin`). */
export const CLI = path.join(REPO, 'dist', 'cli', 'index.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bundled CLI on the node running the tests (a user's own node, not the action's),
 * asynchronously so a loopback server in this process keeps answering.
 */
export async function runCli(
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, stdout, stderr };
}
