import { describe, expect, it } from '@jest/globals';
import { parseInputs, type InputName } from '../../src/inputs.js';
import { decideLinker } from '../../src/toolchain/prepare.js';
import { loadManifest } from '../../src/toolchain/manifest.js';
import { targetSpec } from '../../src/targets/table.js';
import { zigCacheKey } from '../../src/zig/cache.js';
import { zigEntryFor, zigRunFacts } from '../../src/zig/select.js';
import { zigTarget } from '../../src/zig/targets.js';

const LINUX_X64 = { os: 'linux', arch: 'x64' };

function decide(inputs: Partial<Record<InputName, string>>, host = LINUX_X64, buildsC = true) {
  const parsed = parseInputs((n) => inputs[n] ?? '', process.cwd());
  return parsed.targets.map((t) => decideLinker(t, parsed, host, buildsC, 'Cargo.lock'));
}

describe('linker: auto', () => {
  it('keeps a pinned gcc where one fits host, target and floor', () => {
    const [d] = decide({ target: 'pi4' });
    expect(d?.linker).toBe('gcc');
    expect(d?.why).toContain('pinned bootlin-aarch64-glibc-2020.08-1 fits');
  });

  it('takes zig on arm64 and macOS runners, where no pinned gcc runs', () => {
    for (const host of [
      { os: 'linux', arch: 'arm64' },
      { os: 'darwin', arch: 'arm64' },
      { os: 'darwin', arch: 'x64' },
    ]) {
      const [d] = decide({ target: 'pi4' }, host);
      expect(d?.linker).toBe('zig');
      expect(d?.why).toContain(`on host ${host.os}/${host.arch}`);
      expect(d && 'source' in d && d.source.id).toBe(`zig-0.15.2-${host.os}-${host.arch}`);
    }
  });

  it('takes zig for a floor no pinned gcc serves (pi-zero + buster)', () => {
    const [d] = decide({ target: 'pi-zero', 'pi-os': 'buster' });
    expect(d?.linker).toBe('zig');
    expect(d?.why).toMatch(
      /No pinned toolchain fits arm-unknown-linux-gnueabihf .*glibc <= 2\.28.*zig 0\.15\.2/,
    );
  });

  it('still links pure-Rust musl with rust-lld', () => {
    const [d] = decide({ target: 'pi4:musl' }, { os: 'darwin', arch: 'arm64' }, false);
    expect(d?.linker).toBe('rust-lld');
  });

  it('leaves a toolchain-url’s kind to its layout', () => {
    const [d] = decide({
      target: 'pi4',
      'toolchain-url': 'https://example.org/zig.tar.xz',
      'toolchain-sha256': 'a'.repeat(64),
    });
    expect(d?.linker).toBe('custom');
  });
});

describe('linker: zig and gcc', () => {
  it('zig uses the newest pinned zig for the host', () => {
    const [d] = decide({ target: 'pi2', linker: 'zig' });
    expect(d?.linker).toBe('zig');
    expect(d && 'source' in d && d.source.urls[0]).toBe(
      'https://ziglang.org/download/0.15.2/zig-x86_64-linux-0.15.2.tar.xz',
    );
  });

  it('gcc refuses where no pinned gcc fits, instead of silently taking zig', () => {
    expect(() => decide({ target: 'pi-zero', 'pi-os': 'buster', linker: 'gcc' })).toThrow(
      /No pinned toolchain fits arm-unknown-linux-gnueabihf/,
    );
  });

  it('zig refuses on a host with no pinned zig', () => {
    expect(() => decide({ target: 'pi4', linker: 'zig' }, { os: 'win32', arch: 'x64' })).toThrow(
      /no pinned zig runs on host win32\/x64/,
    );
    expect(zigEntryFor(loadManifest(), { os: 'win32', arch: 'x64' })).toBeNull();
  });
});

describe('zig targets', () => {
  it('carry exactly the floor asked for on gnu, none on musl', () => {
    expect(zigTarget(targetSpec('arm-unknown-linux-gnueabihf'), '2.31')).toBe(
      'arm-linux-gnueabihf.2.31',
    );
    expect(zigTarget(targetSpec('aarch64-unknown-linux-gnu'), '2.28')).toBe(
      'aarch64-linux-gnu.2.28',
    );
    expect(zigTarget(targetSpec('arm-unknown-linux-musleabihf'), '2.31')).toBe(
      'arm-linux-musleabihf',
    );
  });
});

describe('zig smoke runs', () => {
  const has = () => true;
  it('run ARMv6 glibc binaries under cortex-a7 with the ARMv7 cross libc, and say so', () => {
    const r = zigRunFacts(targetSpec('arm-unknown-linux-gnueabihf'), 'arm1176', has);
    expect(r).toMatchObject({ sysroot: '/usr/arm-linux-gnueabihf', cpu: 'cortex-a7' });
    expect(r.note).toMatch(/qemu -cpu cortex-a7, not arm1176/);
  });

  it('run static musl binaries under the board’s own CPU, with no libc', () => {
    expect(zigRunFacts(targetSpec('arm-unknown-linux-musleabihf'), 'arm1176', has)).toEqual({
      sysroot: null,
      cpu: null,
      note: null,
    });
  });

  it('name the package when the host has no cross libc', () => {
    const r = zigRunFacts(targetSpec('aarch64-unknown-linux-gnu'), 'cortex-a53', () => false);
    expect(r.sysroot).toBeNull();
    expect(r.note).toContain('libc6-arm64-cross');
  });
});

describe('zig cache key', () => {
  const host = { os: 'linux', arch: 'x64' };
  const zig = '/opt/hostedtoolcache/rpi-cross-zig-0.11.0-linux-x64/0.11.0/x64/zig';
  const a = { version: '0.11.0', target: 'aarch64-linux-gnu.2.31', cpu: null, zig };
  const b = { version: '0.11.0', target: 'arm-linux-gnueabihf.2.31', cpu: 'cortex_a7', zig };

  it('names zig version, host, and depends on targets, floor and CPU but not their order', () => {
    expect(zigCacheKey([a, b], host)).toMatch(
      /^rust-rpi-cross-zigcache-0\.11\.0-[0-9a-f]{16}-linux-x64$/,
    );
    expect(zigCacheKey([b, a], host)).toBe(zigCacheKey([a, b], host));
    expect(zigCacheKey([a, { ...b, target: 'arm-linux-gnueabihf.2.28' }], host)).not.toBe(
      zigCacheKey([a, b], host),
    );
    expect(zigCacheKey([a, { ...b, cpu: 'arm1176jzf_s' }], host)).not.toBe(
      zigCacheKey([a, b], host),
    );
  });

  // zig 0.11 keys what it builds by the absolute paths of its lib/ sources (measured: the same
  // zig hard-linked elsewhere rebuilds musl's libc.a in a cache that is warm for the original),
  // so a cache saved from another install path is gigabytes of misses.
  it('depends on where zig is installed', () => {
    const elsewhere = (p: typeof a | typeof b) => ({
      ...p,
      zig: '/home/runner/tools/zig-0.11.0/zig',
    });
    expect(zigCacheKey([elsewhere(a), elsewhere(b)], host)).not.toBe(zigCacheKey([a, b], host));
    expect(zigCacheKey([elsewhere(a), elsewhere(b)], host)).toMatch(
      /^rust-rpi-cross-zigcache-0\.11\.0-[0-9a-f]{16}-linux-x64$/,
    );
  });
});
