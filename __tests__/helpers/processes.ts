import { execFileSync } from 'node:child_process';

/** PIDs of live processes whose command line contains `text`. */
export function alive(text: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Waits briefly for SIGKILLed processes to disappear from the process table. */
export async function aliveAfterKill(text: string): Promise<number[]> {
  for (let i = 0; i < 20 && alive(text).length > 0; i++)
    await new Promise((r) => setTimeout(r, 50));
  return alive(text);
}
