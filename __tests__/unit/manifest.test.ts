import { describe, expect, it } from '@jest/globals';
import {
  cpuServes,
  gccToolchains,
  loadManifest,
  validateManifest,
  zigToolchains,
  type GccToolchainEntry,
  type ZigToolchainEntry,
} from '../../src/toolchain/manifest.js';
import { TARGETS, targetSpec } from '../../src/targets/table.js';

// A second copy of each pinned checksum, taken from the published hash files named in
// checksumSource: an accidental edit of manifest.json has to be made twice to go unnoticed.
const PINNED: Record<string, string> = {
  'bootlin-aarch64-glibc-2020.08-1':
    '8ab7a2f17cb96621b048ab0a872650dd62faa54cd74c961b9902b8c04bff7dd1',
  'bootlin-armv7-eabihf-glibc-2020.08-1':
    '7b6682603af9a9b5c0e46fd57165723483bb68295e827d14d238e63f33a147a8',
  'bootlin-armv6-eabihf-glibc-2020.08-1':
    '539e31b3bdcf76c3d6710951c74fbe682e2de8da4d110b981e9108b656890f4a',
  'bootlin-aarch64-musl-2020.08-1':
    '8319d27e3e637f32ecbdf49ceee2e9b7768b32d3ec7c92c888ff52e6f062bde4',
  'bootlin-armv7-eabihf-musl-2020.08-1':
    '5c4c9bce5a2a46a9ad46e49e86df708893a8907e702a8ee1b5febd3950e030ed',
  'bootlin-armv6-eabihf-musl-2020.08-1':
    '68e43e3cd0e1fdd5c2b3ab718368f6ee24824725c641e148ef0a0da57f872034',
  'arm-gnu-a-aarch64-linux-gnu-8.3-2019.03':
    '8ce3e7688a47d8cd2d8e8323f147104ae1c8139520eca50ccf8a7fa933002731',
  'arm-gnu-a-arm-linux-gnueabihf-8.3-2019.03':
    'd4f6480ecaa99e977e3833cc8a8e1263f9eecd1ce2d022bb548a24c4f32670f5',
  // zig releases: ziglang.org/download/index.json as mirrored in mitchellh/zig-overlay.
  'zig-0.15.2-linux-x64': '02aa270f183da276e5b5920b1dac44a63f1a49e55050ebde3aecc9eb82f93239',
  'zig-0.15.2-linux-arm64': '958ed7d1e00d0ea76590d27666efbf7a932281b3d7ba0c6b01b0ff26498f667f',
  'zig-0.15.2-darwin-x64': '375b6909fc1495d16fc2c7db9538f707456bfc3373b14ee83fdd3e22b3d43f7f',
  'zig-0.15.2-darwin-arm64': '3cc2bab367e185cdfb27501c4b30b1b0653c28d9f73df8dc91488e66ece5fa6b',
  'zig-0.11.0-linux-x64': '2d00e789fec4f71790a6e7bf83ff91d564943c5ee843c5fd966efc474b423047',
  'zig-0.11.0-linux-arm64': '956eb095d8ba44ac6ebd27f7c9956e47d92937c103bf754745d0a39cdaa5d4c6',
  'zig-0.11.0-darwin-x64': '1c1c6b9a906b42baae73656e24e108fd8444bb50b6e8fd03e9e7a3f8b5f05686',
  'zig-0.11.0-darwin-arm64': 'c6ebf927bb13a707d74267474a9f553274e64906fd21bf1c75a20bde8cadf7b2',
};

const SAMPLE: GccToolchainEntry = {
  id: 'sample-armv6',
  kind: 'gcc',
  vendor: 'Test',
  release: '1',
  hosts: [{ os: 'linux', arch: 'x64' }],
  targets: ['arm-unknown-linux-gnueabihf'],
  cpu: 'v6',
  libc: 'glibc',
  libcVersion: '2.28',
  gccVersion: '8.3',
  url: 'https://example.org/t/sample.tar.xz',
  mirrors: [],
  sha256: 'a'.repeat(64),
  format: 'tar.xz',
  layout: { prefix: 'arm-linux-gnueabihf', sysroot: 'arm-linux-gnueabihf/sysroot' },
  checksumSource: 'test',
};

function manifestWith(...entries: object[]): unknown {
  return { schema: 1, toolchains: entries };
}

function problemsOf(data: unknown): string {
  try {
    validateManifest(data);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected validateManifest to throw');
}

describe('bundled manifest', () => {
  const manifest = loadManifest();

  it('validates and pins exactly the reviewed checksums', () => {
    const pinned = Object.fromEntries(manifest.toolchains.map((e) => [e.id, e.sha256]));
    expect(pinned).toEqual(PINNED);
  });

  it('is returned once per process', () => {
    expect(loadManifest()).toBe(manifest);
  });

  it('covers every target on linux/x64', () => {
    for (const t of TARGETS) {
      const serving = gccToolchains(manifest).filter((e) => e.targets.includes(t.triple));
      expect(serving.length).toBeGreaterThan(0);
      expect(serving.every((e) => e.hosts.some((h) => h.os === 'linux' && h.arch === 'x64'))).toBe(
        true,
      );
    }
  });

  it('never lists an ARMv7 toolchain for an ARMv6 target', () => {
    for (const e of gccToolchains(manifest)) {
      for (const triple of e.targets) expect(cpuServes(e.cpu, targetSpec(triple))).toBe(true);
    }
  });

  it('uses the binary prefix and sysroot each vendor ships', () => {
    const byId = new Map(gccToolchains(manifest).map((e) => [e.id, e.layout]));
    expect(byId.get('bootlin-armv6-eabihf-glibc-2020.08-1')).toEqual({
      prefix: 'arm-buildroot-linux-gnueabihf',
      sysroot: 'arm-buildroot-linux-gnueabihf/sysroot',
    });
    expect(byId.get('bootlin-armv6-eabihf-musl-2020.08-1')?.prefix).toBe(
      'arm-buildroot-linux-musleabihf',
    );
    expect(byId.get('arm-gnu-a-aarch64-linux-gnu-8.3-2019.03')).toEqual({
      prefix: 'aarch64-linux-gnu',
      sysroot: 'aarch64-linux-gnu/libc',
    });
  });
});

describe('zig entries', () => {
  const zig = zigToolchains(loadManifest());

  it('serve every GitHub runner host with the default release and 0.11.0', () => {
    const hosts = ['linux/x64', 'linux/arm64', 'darwin/x64', 'darwin/arm64'];
    for (const release of ['0.15.2', '0.11.0']) {
      const got = zig
        .filter((e) => e.release === release)
        .flatMap((e) => e.hosts.map((h) => `${h.os}/${h.arch}`));
      expect(got.sort()).toEqual([...hosts].sort());
    }
  });

  it('name the archive the way each release does (the scheme changed at 0.14.1)', () => {
    const byId = new Map(zig.map((e) => [e.id, e.url]));
    expect(byId.get('zig-0.11.0-darwin-arm64')).toBe(
      'https://ziglang.org/download/0.11.0/zig-macos-aarch64-0.11.0.tar.xz',
    );
    expect(byId.get('zig-0.15.2-linux-x64')).toBe(
      'https://ziglang.org/download/0.15.2/zig-x86_64-linux-0.15.2.tar.xz',
    );
  });

  const ZIG: ZigToolchainEntry = {
    id: 'zig-x',
    kind: 'zig',
    vendor: 'Test',
    release: '0.11.0',
    hosts: [{ os: 'linux', arch: 'x64' }],
    url: 'https://example.org/zig.tar.xz',
    mirrors: [],
    sha256: 'b'.repeat(64),
    format: 'tar.xz',
    checksumSource: 'test',
  };

  it('validate without the gcc-only fields', () => {
    expect(validateManifest(manifestWith(ZIG)).toolchains[0]?.kind).toBe('zig');
  });

  it.each([
    ['a non-version release', { release: 'latest' }, 'release must be a zig version'],
    ['an http url', { url: 'http://example.org/zig.tar.xz' }, 'url must be an https URL'],
    ['no hosts', { hosts: [] }, 'hosts must be a non-empty array'],
  ])('reject %s', (_n, patch, message) => {
    expect(problemsOf(manifestWith({ ...ZIG, ...patch }))).toContain(message);
  });
});

describe('validateManifest', () => {
  it('accepts a well-formed synthetic manifest', () => {
    expect(validateManifest(manifestWith(SAMPLE)).toolchains[0]?.id).toBe('sample-armv6');
  });

  it('accepts an empty list', () => {
    expect(validateManifest(manifestWith()).toolchains).toEqual([]);
  });

  it.each([
    ['not an object', 42, 'not a JSON object'],
    ['a wrong schema', { schema: 2, toolchains: [] }, 'unsupported schema 2'],
    ['no toolchain list', { schema: 1 }, '"toolchains" is not an array'],
  ])('rejects %s', (_name, data, message) => {
    expect(problemsOf(data)).toContain(message);
  });

  it.each([
    ['short sha256', { sha256: 'abc' }, 'sha256 must be 64 lower-case hex characters, got "abc"'],
    ['upper-case sha256', { sha256: 'A'.repeat(64) }, 'sha256 must be 64 lower-case hex'],
    ['http url', { url: 'http://example.org/t.tar.xz' }, 'url must be an https URL'],
    ['http mirror', { mirrors: ['ftp://example.org/t.tar.xz'] }, 'mirrors[0] must be an https URL'],
    ['unknown format', { format: 'rar' }, 'format must be one of tar.gz, tar.xz, tar.bz2, zip'],
    ['format/url mismatch', { format: 'tar.gz' }, 'url does not end with .tar.gz'],
    ['unknown target', { targets: ['riscv64gc-unknown-linux-gnu'] }, 'is not a supported Rust'],
    ['empty targets', { targets: [] }, 'targets must be a non-empty array'],
    ['libc mismatch', { targets: ['arm-unknown-linux-musleabihf'] }, 'needs musl, entry has'],
    ['unknown kind', { kind: 'clang' }, 'kind must be one of gcc'],
    ['bad host', { hosts: [{ os: 'linux', arch: 'ia32' }] }, 'hosts[0].arch must be one of'],
    ['no hosts', { hosts: [] }, 'hosts must be a non-empty array'],
    ['bad libc version', { libcVersion: 'latest' }, 'libcVersion must be a dotted version'],
    ['absolute sysroot', { layout: { prefix: 'p', sysroot: '/usr' } }, 'layout.sysroot must be'],
    ['escaping sysroot', { layout: { prefix: 'p', sysroot: '../x' } }, 'layout.sysroot must be'],
    ['empty prefix', { layout: { prefix: '', sysroot: 's' } }, 'layout.prefix must be'],
    ['no checksum source', { checksumSource: '' }, 'checksumSource must be a non-empty string'],
  ])('rejects an entry with %s', (_name, patch, message) => {
    const text = problemsOf(manifestWith({ ...SAMPLE, ...patch }));
    expect(text).toContain('toolchains[0] (sample-armv6)');
    expect(text).toContain(message);
  });

  it('rejects an ARMv7 toolchain that claims the ARMv6 target', () => {
    expect(problemsOf(manifestWith({ ...SAMPLE, cpu: 'v7' }))).toContain(
      'target arm-unknown-linux-gnueabihf is ARMv6, a "v7" toolchain cannot serve it',
    );
  });

  it('rejects a 32-bit toolchain that claims an aarch64 target', () => {
    expect(
      problemsOf(manifestWith({ ...SAMPLE, targets: ['aarch64-unknown-linux-gnu'] })),
    ).toContain('target aarch64-unknown-linux-gnu is ARMv8, a "v6" toolchain cannot serve it');
  });

  it('rejects duplicate ids', () => {
    expect(problemsOf(manifestWith(SAMPLE, { ...SAMPLE }))).toContain(
      'duplicate toolchain id "sample-armv6"',
    );
  });

  it('lists every problem at once', () => {
    const text = problemsOf(manifestWith({ ...SAMPLE, sha256: 'x', url: 'http://e/t.tar.xz' }));
    expect(text).toContain('sha256 must be');
    expect(text).toContain('url must be an https URL');
  });
});

describe('validateManifest: every problem, exactly as it is reported', () => {
  it('names each entry by index (and id, when it has a string one) and each field once', () => {
    const noId: Record<string, unknown> = { ...SAMPLE };
    delete noId.id;
    const zig = {
      id: 'Zig',
      kind: 'zig',
      vendor: 'z',
      release: '0.11.0',
      hosts: [{ os: 'linux', arch: 'x64' }],
      url: 'https://z.example/zig.tar.xz',
      mirrors: [],
      sha256: 'a'.repeat(64),
      format: 'tar.xz',
      checksumSource: 's',
    };
    const data = {
      schema: 1,
      toolchains: [
        42,
        null,
        noId,
        { ...noId }, // two entries without an id are not duplicates of each other
        { ...SAMPLE, id: 7, vendor: '  ', gccVersion: 8, hosts: ['linux'], mirrors: 'https://m/x' },
        { ...SAMPLE, id: 'Bad', url: 'not a url', layout: 'x' },
        { ...SAMPLE, id: 'u', url: 42, layout: { prefix: 'p', sysroot: 42 } },
        { ...SAMPLE, id: 'f', format: 42, layout: { prefix: 'p', sysroot: '' } },
        { ...SAMPLE, id: 'a', url: [SAMPLE.url] }, // a list holding a URL is not a URL
        zig,
      ],
    };
    const id = 'id must be lower-case letters, digits, ".", "_" or "-", got';
    expect(problemsOf(data)).toBe(
      [
        'toolchain manifest is invalid:',
        'toolchains[0]: is not an object',
        'toolchains[1]: is not an object',
        `toolchains[2]: ${id} missing`,
        `toolchains[3]: ${id} missing`,
        `toolchains[4]: ${id} 7`,
        'toolchains[4]: vendor must be a non-empty string',
        'toolchains[4]: gccVersion must be a dotted version like 9 or 8.3, got 8',
        'toolchains[4]: hosts[0] is not an object',
        'toolchains[4]: mirrors must be an array (may be empty)',
        `toolchains[5] (Bad): ${id} "Bad"`,
        'toolchains[5] (Bad): url must be an https URL, got "not a url"',
        'toolchains[5] (Bad): url does not end with .tar.xz',
        'toolchains[5] (Bad): layout must be an object with prefix and sysroot',
        'toolchains[6] (u): url must be an https URL, got 42',
        'toolchains[6] (u): layout.sysroot must be a relative path, got 42',
        'toolchains[7] (f): format must be one of tar.gz, tar.xz, tar.bz2, zip, got 42',
        'toolchains[7] (f): layout.sysroot must be a relative path, got ""',
        'toolchains[8] (a): url must be an https URL, got ["https://example.org/t/sample.tar.xz"]',
        `toolchains[9] (Zig): ${id} "Zig"`,
      ].join('\n  - '),
    );
  });
});
