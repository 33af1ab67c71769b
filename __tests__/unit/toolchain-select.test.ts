import { describe, expect, it } from '@jest/globals';
import { loadManifest, type Manifest, type ToolchainEntry } from '../../src/toolchain/manifest.js';
import {
  applyMirror,
  downloadUrls,
  selectToolchain,
  type ToolchainSelection,
} from '../../src/toolchain/select.js';
import { PI_OS, TARGETS, targetSpec } from '../../src/targets/table.js';

const X64 = { os: 'linux', arch: 'x64' };
const manifest = loadManifest();

function idOf(s: ToolchainSelection): string | null {
  return s.entry ? s.entry.id : null;
}

function reasonOf(s: ToolchainSelection): string {
  if (s.entry) throw new Error(`expected a refusal, got ${s.entry.id}`);
  return s.reason;
}

const BOOTLIN_A64 = 'bootlin-aarch64-glibc-2020.08-1';
const BOOTLIN_V7 = 'bootlin-armv7-eabihf-glibc-2020.08-1';
const BOOTLIN_V6 = 'bootlin-armv6-eabihf-glibc-2020.08-1';
const ARM_A64 = 'arm-gnu-a-aarch64-linux-gnu-8.3-2019.03';
const ARM_V7 = 'arm-gnu-a-arm-linux-gnueabihf-8.3-2019.03';

// Expected pick per target for floors [buster 2.28, bullseye 2.31, bookworm 2.36, trixie 2.41, none].
const EXPECTED: Record<string, readonly (string | null)[]> = {
  'aarch64-unknown-linux-gnu': [ARM_A64, BOOTLIN_A64, BOOTLIN_A64, BOOTLIN_A64, BOOTLIN_A64],
  'armv7-unknown-linux-gnueabihf': [ARM_V7, BOOTLIN_V7, BOOTLIN_V7, BOOTLIN_V7, BOOTLIN_V7],
  'arm-unknown-linux-gnueabihf': [null, BOOTLIN_V6, BOOTLIN_V6, BOOTLIN_V6, BOOTLIN_V6],
  'aarch64-unknown-linux-musl': Array(5).fill('bootlin-aarch64-musl-2020.08-1'),
  'armv7-unknown-linux-musleabihf': Array(5).fill('bootlin-armv7-eabihf-musl-2020.08-1'),
  'arm-unknown-linux-musleabihf': Array(5).fill('bootlin-armv6-eabihf-musl-2020.08-1'),
};
const FLOORS: readonly (string | null)[] = [...PI_OS.map((os) => os.glibc), null];

describe('selectToolchain with the bundled manifest on linux/x64', () => {
  const cases = TARGETS.flatMap((t) =>
    FLOORS.map((floor, i) => [t.triple, floor ?? 'none', EXPECTED[t.triple]?.[i]] as const),
  );

  it('has an expectation for every target', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(TARGETS.map((t) => t.triple).sort());
  });

  it.each(cases)('%s with glibc floor %s → %s', (triple, floor, expected) => {
    const glibcFloor = floor === 'none' ? null : floor;
    expect(idOf(selectToolchain(manifest, { triple, host: X64, glibcFloor }))).toBe(expected);
  });

  it('never picks a toolchain above the target CPU level', () => {
    for (const t of TARGETS) {
      for (const glibcFloor of FLOORS) {
        const entry = selectToolchain(manifest, { triple: t.triple, host: X64, glibcFloor }).entry;
        if (t.cpu === 'v6' && entry) expect(entry.cpu).toBe('v6');
      }
    }
  });

  it('explains the Pi Zero on buster refusal with the ways out', () => {
    const reason = reasonOf(
      selectToolchain(manifest, {
        triple: 'arm-unknown-linux-gnueabihf',
        host: X64,
        glibcFloor: '2.28',
      }),
    );
    expect(reason).toContain('arm-unknown-linux-gnueabihf on host linux/x64');
    expect(reason).toContain('glibc <= 2.28 (pi-os: buster)');
    expect(reason).toContain(`With pi-os: bullseye (or newer) the toolchain ${BOOTLIN_V6}`);
    expect(reason).toContain('arm-unknown-linux-musleabihf works on any Pi OS');
    expect(reason).toContain('`toolchain-url` and `toolchain-sha256`');
    expect(reason).not.toContain(ARM_V7);
  });

  it('names a floor without a Pi OS release plainly', () => {
    const reason = reasonOf(
      selectToolchain(manifest, {
        triple: 'aarch64-unknown-linux-gnu',
        host: X64,
        glibcFloor: '2.17',
      }),
    );
    expect(reason).toContain('with glibc <= 2.17.');
    const buster = reason.indexOf(`With pi-os: buster (or newer) the toolchain ${ARM_A64}`);
    const bullseye = reason.indexOf(`With pi-os: bullseye (or newer) the toolchain ${BOOTLIN_A64}`);
    expect(buster).toBeGreaterThan(0);
    expect(bullseye).toBeGreaterThan(buster);
  });
});

describe('selectToolchain refusals for other hosts and inputs', () => {
  it.each([
    ['linux', 'arm64'],
    ['darwin', 'arm64'],
  ])('refuses every target on %s/%s and names the supported host', (os, arch) => {
    for (const t of TARGETS) {
      const reason = reasonOf(
        selectToolchain(manifest, { triple: t.triple, host: { os, arch }, glibcFloor: null }),
      );
      expect(reason).toContain(`${t.triple} on host ${os}/${arch}`);
      expect(reason).toContain('run only on linux/x64');
    }
  });

  it('suggests rust-lld for musl targets only', () => {
    const host = { os: 'darwin', arch: 'arm64' };
    const musl = selectToolchain(manifest, {
      triple: 'arm-unknown-linux-musleabihf',
      host,
      glibcFloor: '2.28',
    });
    const gnu = selectToolchain(manifest, {
      triple: 'arm-unknown-linux-gnueabihf',
      host,
      glibcFloor: null,
    });
    expect(reasonOf(musl)).toContain('`linker: rust-lld`');
    expect(reasonOf(musl)).not.toContain('glibc <=');
    expect(reasonOf(gnu)).not.toContain('rust-lld');
  });

  it('rejects an unknown triple', () => {
    const reason = reasonOf(
      selectToolchain(manifest, {
        triple: 'x86_64-unknown-linux-gnu',
        host: X64,
        glibcFloor: null,
      }),
    );
    expect(reason).toContain('Unknown target x86_64-unknown-linux-gnu');
    expect(reason).toContain('aarch64-unknown-linux-gnu');
  });
});

function entry(id: string, patch: Partial<ToolchainEntry>): ToolchainEntry {
  return {
    id,
    kind: 'gcc',
    vendor: 'Test',
    release: '1',
    hosts: [{ os: 'linux', arch: 'x64' }],
    targets: ['armv7-unknown-linux-gnueabihf'],
    cpu: 'v7',
    libc: 'glibc',
    libcVersion: '2.28',
    gccVersion: '8',
    url: `https://example.org/${id}.tar.xz`,
    mirrors: [],
    sha256: '0'.repeat(64),
    format: 'tar.xz',
    layout: { prefix: 'arm-linux-gnueabihf', sysroot: 'arm-linux-gnueabihf/libc' },
    checksumSource: 'test',
    ...patch,
  };
}

// Built without validateManifest on purpose: selection must stay safe even for bad data.
function synthetic(...entries: ToolchainEntry[]): Manifest {
  return { schema: 1, toolchains: entries };
}

describe('selectToolchain preference order (synthetic manifest)', () => {
  const m = synthetic(
    entry('old-glibc-new-gcc', { libcVersion: '2.24', gccVersion: '12' }),
    entry('g228-gcc8', { libcVersion: '2.28', gccVersion: '8.3' }),
    entry('g228-gcc10', { libcVersion: '2.28', gccVersion: '10.2' }),
    entry('g231', { libcVersion: '2.31', gccVersion: '9' }),
    entry('g236', { libcVersion: '2.36', gccVersion: '12' }),
    entry('arm64-host', {
      libcVersion: '2.31',
      gccVersion: '14',
      hosts: [{ os: 'linux', arch: 'arm64' }],
    }),
  );
  const pick = (glibcFloor: string | null, arch = 'x64'): string | null =>
    idOf(
      selectToolchain(m, {
        triple: 'armv7-unknown-linux-gnueabihf',
        host: { os: 'linux', arch },
        glibcFloor,
      }),
    );

  it('prefers the newest glibc within the floor, then the newest gcc', () => {
    expect(pick('2.28')).toBe('g228-gcc10');
    expect(pick('2.31')).toBe('g231');
    expect(pick('2.36')).toBe('g236');
    expect(pick(null)).toBe('g236');
    expect(pick('2.27')).toBe('old-glibc-new-gcc');
  });

  it('only picks entries that run on the host', () => {
    expect(pick('2.41', 'arm64')).toBe('arm64-host');
    expect(pick('2.28', 'arm64')).toBeNull();
  });

  it('compares versions numerically', () => {
    const n = synthetic(
      entry('g2.9', { libcVersion: '2.9' }),
      entry('g2.10', { libcVersion: '2.10' }),
    );
    const s = selectToolchain(n, {
      triple: 'armv7-unknown-linux-gnueabihf',
      host: X64,
      glibcFloor: '2.28',
    });
    expect(idOf(s)).toBe('g2.10');
  });
});

describe('CPU level guard (synthetic manifest)', () => {
  const v6 = 'arm-unknown-linux-gnueabihf';

  it('never picks a v7 entry for the ARMv6 target, even one that lists it', () => {
    const m = synthetic(entry('v7-claims-v6', { cpu: 'v7', targets: [v6] }));
    const reason = reasonOf(selectToolchain(m, { triple: v6, host: X64, glibcFloor: null }));
    expect(reason).toContain('The manifest has no toolchain for this target.');
  });

  it('lets a v6 entry serve only the targets it lists', () => {
    const m = synthetic(
      entry('v6-only', { cpu: 'v6', targets: [v6], layout: { prefix: 'p', sysroot: 's' } }),
    );
    expect(idOf(selectToolchain(m, { triple: v6, host: X64, glibcFloor: null }))).toBe('v6-only');
    expect(
      idOf(
        selectToolchain(m, {
          triple: 'armv7-unknown-linux-gnueabihf',
          host: X64,
          glibcFloor: null,
        }),
      ),
    ).toBeNull();
  });

  it('does not let a musl entry serve a gnu target', () => {
    const m = synthetic(entry('musl', { libc: 'musl', libcVersion: '1.2.5' }));
    const s = selectToolchain(m, {
      triple: 'armv7-unknown-linux-gnueabihf',
      host: X64,
      glibcFloor: null,
    });
    expect(idOf(s)).toBeNull();
  });

  it('does not let an aarch64-level entry serve a 32-bit target', () => {
    const m = synthetic(entry('v8', { cpu: 'v8', targets: ['armv7-unknown-linux-gnueabihf'] }));
    expect(targetSpec('armv7-unknown-linux-gnueabihf').cpu).toBe('v7');
    const s = selectToolchain(m, {
      triple: 'armv7-unknown-linux-gnueabihf',
      host: X64,
      glibcFloor: null,
    });
    expect(idOf(s)).toBeNull();
  });
});

describe('applyMirror', () => {
  const url = 'https://toolchains.bootlin.com/downloads/x.tar.bz2';

  it.each([
    ['https://mirror.example/tools', 'https://mirror.example/tools/downloads/x.tar.bz2'],
    ['https://mirror.example/tools/', 'https://mirror.example/tools/downloads/x.tar.bz2'],
    ['https://mirror.example', 'https://mirror.example/downloads/x.tar.bz2'],
    ['http://10.0.0.2:8080/cache', 'http://10.0.0.2:8080/cache/downloads/x.tar.bz2'],
  ])('%s', (mirror, expected) => {
    expect(applyMirror(url, mirror)).toBe(expected);
  });

  it('keeps the query of the original URL', () => {
    expect(applyMirror('https://a.example/f.tar.xz?rev=1', 'https://m.example/p')).toBe(
      'https://m.example/p/f.tar.xz?rev=1',
    );
  });

  it.each([
    ['ftp://mirror.example/tools', 'scheme ftp:'],
    ['file:///srv/mirror', 'scheme file:'],
    ['mirror.example/tools', 'not a URL'],
    ['https://mirror.example/tools?x=1', 'query or fragment'],
  ])('rejects %s naming the toolchain-mirror input', (mirror, why) => {
    expect(() => applyMirror(url, mirror)).toThrow('toolchain-mirror');
    expect(() => applyMirror(url, mirror)).toThrow(why);
  });
});

describe('downloadUrls', () => {
  const e = entry('t', {
    url: 'https://developer.example/-/media/a/t.tar.xz',
    mirrors: ['https://blob.example/developer/a/t.tar.xz'],
  });

  it('tries the URL then the listed mirrors', () => {
    expect(downloadUrls(e)).toEqual([
      'https://developer.example/-/media/a/t.tar.xz',
      'https://blob.example/developer/a/t.tar.xz',
    ]);
    expect(downloadUrls(e, '')).toEqual(downloadUrls(e));
  });

  it('rewrites every URL onto the mirror and drops duplicates', () => {
    const same = entry('s', {
      url: 'https://a.example/p/t.tar.xz',
      mirrors: ['https://b.example/p/t.tar.xz'],
    });
    expect(downloadUrls(e, 'https://m.example/c')).toEqual([
      'https://m.example/c/-/media/a/t.tar.xz',
      'https://m.example/c/developer/a/t.tar.xz',
    ]);
    expect(downloadUrls(same, 'https://m.example')).toEqual(['https://m.example/p/t.tar.xz']);
  });

  it('gives the Arm toolchain its two published mirrors', () => {
    const arm = manifest.toolchains.find((t) => t.id === ARM_V7);
    expect(arm && downloadUrls(arm).length).toBe(3);
  });
});

describe('selectToolchain refusals, word for word (synthetic manifest)', () => {
  const V7 = 'armv7-unknown-linux-gnueabihf';
  const BYO =
    'You can bring your own toolchain with the `toolchain-url` and `toolchain-sha256` inputs.';
  const twoHosts = entry('two-hosts', {
    hosts: [
      { os: 'linux', arch: 'x64' },
      { os: 'linux', arch: 'arm64' },
    ],
  });

  it('an entry runs on each of its hosts, and a refusal lists them all', () => {
    const m = synthetic(twoHosts);
    const on = (os: string, arch: string) =>
      selectToolchain(m, { triple: V7, host: { os, arch }, glibcFloor: null });
    expect(idOf(on('linux', 'arm64'))).toBe('two-hosts');
    expect(idOf(on('linux', 'x64'))).toBe('two-hosts');
    // No floor, no musl twin in this manifest, a gnu target: nothing else to say.
    expect(reasonOf(on('darwin', 'arm64'))).toBe(
      `No pinned toolchain fits ${V7} on host darwin/arm64. Its pinned toolchains run only on ` +
        `linux/x64, linux/arm64. ${BYO}`,
    );
  });

  it('a musl target: no glibc floor, no twin, the rust-lld way out', () => {
    const s = selectToolchain(synthetic(twoHosts), {
      triple: 'armv7-unknown-linux-musleabihf',
      host: X64,
      glibcFloor: '2.28',
    });
    expect(reasonOf(s)).toBe(
      'No pinned toolchain fits armv7-unknown-linux-musleabihf on host linux/x64. The manifest ' +
        `has no toolchain for this target. ${BYO} For crates without C code, \`linker: rust-lld\` ` +
        'links musl targets with no toolchain.',
    );
  });

  it('says when a toolchain needs a glibc newer than any Pi OS release', () => {
    const s = selectToolchain(synthetic(entry('g3', { libcVersion: '3.0' })), {
      triple: V7,
      host: X64,
      glibcFloor: '2.28',
    });
    expect(reasonOf(s)).toContain(
      'glibc <= 2.28 (pi-os: buster). The toolchain g3 needs glibc 3.0, newer than any Pi OS release.',
    );
  });

  it('an unknown triple lists every supported one', () => {
    const s = selectToolchain(manifest, { triple: 'riscv64', host: X64, glibcFloor: null });
    expect(reasonOf(s)).toBe(
      `Unknown target riscv64; supported targets: ${TARGETS.map((t) => t.triple).join(', ')}.`,
    );
  });
});

describe('applyMirror edge cases', () => {
  const url = 'https://toolchains.bootlin.com/downloads/x.tar.bz2';
  it('drops every trailing slash of the mirror', () => {
    expect(applyMirror(url, 'https://m.example/tools//')).toBe(
      'https://m.example/tools/downloads/x.tar.bz2',
    );
  });
  it('refuses a fragment as it refuses a query', () => {
    expect(() => applyMirror(url, 'https://m.example/tools#top')).toThrow(
      'toolchain-mirror must be an http(s) URL without query or fragment (has a query or fragment): https://m.example/tools#top',
    );
  });
});
