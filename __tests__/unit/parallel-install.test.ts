import { describe, expect, it } from '@jest/globals';
import type { InstalledToolchain, ToolchainSource } from '../../src/toolchain/install.js';
import { installDistinct } from '../../src/toolchain/prepare.js';

const src = (id: string): ToolchainSource => ({
  id,
  urls: [`https://example.org/${id}.tar.xz`],
  sha256: '0'.repeat(64),
  format: 'tar.xz',
});

/** An installer that takes `ms` per toolchain and records how many ran at once. */
function slowInstaller(ms: number, fail?: string) {
  const seen = { inFlight: 0, max: 0, calls: [] as string[] };
  const install = async (s: ToolchainSource): Promise<InstalledToolchain> => {
    seen.calls.push(s.id);
    seen.inFlight++;
    seen.max = Math.max(seen.max, seen.inFlight);
    await new Promise((r) => setTimeout(r, ms));
    seen.inFlight--;
    if (s.id === fail) throw new Error(`${s.id} failed`);
    return { dir: `/tc/${s.id}`, origin: 'download' };
  };
  return { seen, install };
}

describe('installDistinct', () => {
  it('installs distinct toolchains concurrently, each once, at most `limit` at a time', async () => {
    const { seen, install } = slowInstaller(50);
    const got = await installDistinct(
      [src('a'), src('b'), src('a'), src('c'), src('d')],
      3,
      install,
    );
    expect(seen.calls.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(seen.max).toBe(3);
    expect([...got.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(got.get('c')?.dir).toBe('/tc/c');
  });

  it('reports a failure only after the other installs have finished', async () => {
    const { seen, install } = slowInstaller(30, 'a');
    await expect(installDistinct([src('a'), src('b')], 3, install)).rejects.toThrow('a failed');
    expect(seen.inFlight).toBe(0);
  });
});
