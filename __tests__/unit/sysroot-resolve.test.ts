import { describe, expect, it } from '@jest/globals';
import { parseDepends, parseParagraphs, parseRelease } from '../../src/sysroot/deb822.js';
import { chooseIndex, PackageIndex } from '../../src/sysroot/packages.js';
import { resolve, ResolveError, suggest, Universe } from '../../src/sysroot/resolve.js';
import type { SuiteSource } from '../../src/sysroot/archives.js';
import { isForeignHeaders } from '../../src/sysroot/client.js';

const SHA = 'a'.repeat(64);

function source(archive: SuiteSource['archive'], suite = 'bookworm'): SuiteSource {
  return {
    archive,
    label: archive,
    base: `http://mirror/${archive}`,
    suite,
    components: ['main'],
    debArch: 'arm64',
    keyset: 'debian',
    optional: false,
  };
}

/** A Packages stanza with the fields resolution reads. */
function stanza(name: string, version: string, extra: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    Package: name,
    Version: version,
    Architecture: 'arm64',
    ...extra,
    Filename: `pool/main/${name[0]}/${name}/${name}_${version}_arm64.deb`,
    Size: '100',
    SHA256: SHA,
  };
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function index(stanzas: string[], archive: SuiteSource['archive'] = 'debian'): PackageIndex {
  return new PackageIndex(`${stanzas.join('\n\n')}\n`, source(archive), 'main');
}

const HAVE = new Set(['libc6', 'libc6-dev']);

// The shape of bookworm's libssl-dev closure, with bullseye's debconf trap.
const DEBIAN = index([
  stanza('libssl-dev', '3.0.20-1~deb12u1', {
    Depends: 'libssl3 (= 3.0.20-1~deb12u1)',
    Suggests: 'libssl-doc',
  }),
  stanza('libssl3', '3.0.20-1~deb12u1', {
    'Pre-Depends': 'libc6 (>= 2.34)',
    Depends: 'debconf (>= 0.5) | debconf-2.0, openssl-provider | libzstd1',
  }),
  stanza('debconf', '1.5.82', { 'Multi-Arch': 'foreign', Depends: 'perl-base (>= 5.20.1-3~)' }),
  stanza('perl-base', '5.36.0-7', { Essential: 'yes' }),
  stanza('libzstd1', '1.5.4+dfsg2-5'),
  stanza('libdbus-1-dev', '1.14.10-1~deb12u1', {
    Depends: 'libdbus-1-3 (= 1.14.10-1~deb12u1), pkgconf | pkg-config:any',
  }),
  stanza('libdbus-1-3', '1.14.10-1~deb12u1', { Depends: 'libsystemd0' }),
  stanza('libsystemd0', '252.38-1~deb12u1', { Depends: 'libc6 (>= 2.34), libzstd1 (>= 1.5.2)' }),
  stanza('pkgconf', '1.8.1-1', { 'Multi-Arch': 'foreign' }),
  stanza('mawk', '1.3.4.20200120-3.1', { Provides: 'awk' }),
  stanza('needs-awk', '1', { Depends: 'awk' }),
  stanza('needs-new', '1', { Depends: 'libzstd1 (>= 2.0)' }),
  stanza('needs-virtual-v', '1', { Depends: 'libfoo-abi (>= 2)' }),
  stanza('libfoo2', '2.1', { Provides: 'libfoo-abi (= 2)' }),
  stanza('libfoo1', '1.0', { Provides: 'libfoo-abi (= 1), libfoo-abi-any' }),
  // libx11-dev's arch-independent headers: Multi-Arch: foreign, yet needed in the sysroot.
  stanza('libx11-dev', '2:1.8.4-2+deb12u2', {
    'Multi-Arch': 'same',
    Depends: 'x11proto-dev (>= 2019.2-1), xtrans-dev',
  }),
  stanza('x11proto-dev', '2022.1-1', {
    Architecture: 'all',
    'Multi-Arch': 'foreign',
    Depends: 'xorg-sgml-doctools (>= 1:1.5)',
  }),
  stanza('xtrans-dev', '1.4.0-1', { Architecture: 'all', 'Multi-Arch': 'foreign' }),
  stanza('xorg-sgml-doctools', '1:1.11-1.1', { Architecture: 'all', 'Multi-Arch': 'foreign' }),
]);

const names = (r: ReturnType<typeof resolve>): string[] =>
  r.packages.map((p) => `${p.name}=${p.version}`);

describe('closure resolution', () => {
  it('follows Depends and Pre-Depends, takes the first alternative that exists', () => {
    const r = resolve(['libssl-dev'], new Universe([DEBIAN]), { have: HAVE });
    expect(names(r)).toEqual([
      'libssl-dev=3.0.20-1~deb12u1',
      'libssl3=3.0.20-1~deb12u1',
      'libzstd1=1.5.4+dfsg2-5', // openssl-provider does not exist: the next alternative
    ]);
    expect(r.neededBy.get('libssl3')).toBe('libssl-dev');
    expect(r.fromToolchain.has('libc6')).toBe(true);
  });

  it('never follows Essential or Multi-Arch: foreign packages, but keeps them when asked for', () => {
    const r = resolve(['libssl-dev'], new Universe([DEBIAN]), { have: HAVE });
    expect(r.skipped.get('debconf')).toBe('libssl3');
    expect(names(r).some((n) => n.startsWith('perl-base'))).toBe(false);
    const asked = resolve(['pkgconf'], new Universe([DEBIAN]), { have: HAVE });
    expect(names(asked)).toEqual(['pkgconf=1.8.1-1']);
  });

  it('follows arch-independent Multi-Arch: foreign headers (x11proto-dev), not their docs', () => {
    const r = resolve(['libx11-dev'], new Universe([DEBIAN]), {
      have: HAVE,
      keepForeign: isForeignHeaders,
    });
    expect(names(r)).toEqual([
      'libx11-dev=2:1.8.4-2+deb12u2',
      'x11proto-dev=2022.1-1',
      'xtrans-dev=1.4.0-1',
    ]);
    expect(r.skipped.get('xorg-sgml-doctools')).toBe('x11proto-dev');
    // A foreign tool with a -dev name but built per architecture is still left out.
    expect(isForeignHeaders({ ...r.packages[1]!, architecture: 'arm64' })).toBe(false);
  });

  it('resolves a deeper closure with an arch-qualified alternative (dbus)', () => {
    const r = resolve(['libdbus-1-dev'], new Universe([DEBIAN]), { have: HAVE });
    expect(names(r)).toEqual([
      'libdbus-1-dev=1.14.10-1~deb12u1',
      'libdbus-1-3=1.14.10-1~deb12u1',
      'libsystemd0=252.38-1~deb12u1',
      'libzstd1=1.5.4+dfsg2-5',
    ]);
    expect(r.skipped.has('pkgconf')).toBe(true);
  });

  it('meets virtual packages through Provides, versioned ones only by a versioned provide', () => {
    expect(names(resolve(['needs-awk'], new Universe([DEBIAN]), { have: HAVE }))).toEqual([
      'needs-awk=1',
      'mawk=1.3.4.20200120-3.1',
    ]);
    expect(names(resolve(['needs-virtual-v'], new Universe([DEBIAN]), { have: HAVE }))).toEqual([
      'needs-virtual-v=1',
      'libfoo2=2.1',
    ]);
  });

  it('checks version constraints and says which versions there are', () => {
    expect(() => resolve(['needs-new'], new Universe([DEBIAN]), { have: HAVE })).toThrow(
      /needs-new 1 needs 'libzstd1 \(>= 2\.0\)'.*the index has libzstd1 1\.5\.4\+dfsg2-5 only/,
    );
  });

  it('drops what the toolchain sysroot already has, requested or needed', () => {
    const r = resolve(['libc6', 'libsystemd0'], new Universe([DEBIAN]), { have: HAVE });
    expect(names(r)).toEqual(['libsystemd0=252.38-1~deb12u1', 'libzstd1=1.5.4+dfsg2-5']);
    expect([...r.fromToolchain].sort()).toEqual(['libc6']);
  });

  it('a virtual package the toolchain’s glibc provides (libc-dev) is met by it, needed or asked for', () => {
    // bookworm's libsqlite3-dev: `Depends: libsqlite3-0 (= …), libc-dev`.
    const idx = index([
      stanza('libsqlite3-dev', '3.40.1-2', { Depends: 'libsqlite3-0 (= 3.40.1-2), libc-dev' }),
      stanza('libsqlite3-0', '3.40.1-2', { Depends: 'libc6 (>= 2.34)' }),
      stanza('libc6-dev', '2.36-9', { Provides: 'libc-dev' }),
    ]);
    const r = resolve(['libsqlite3-dev'], new Universe([idx]), { have: HAVE });
    expect(names(r)).toEqual(['libsqlite3-dev=3.40.1-2', 'libsqlite3-0=3.40.1-2']);
    expect([...r.fromToolchain].sort()).toEqual(['libc6', 'libc6-dev']);
    const asked = resolve(['libc-dev'], new Universe([idx]), { have: HAVE });
    expect(names(asked)).toEqual([]);
    expect([...asked.fromToolchain]).toEqual(['libc6-dev']);
  });

  it('takes the highest version across archives (a +rpt rebuild), the primary on a tie', () => {
    const rpi = index(
      [stanza('libzstd1', '1.5.4+dfsg2-5+rpt1'), stanza('libsystemd0', '252.38-1~deb12u1')],
      'raspberrypi',
    );
    const r = resolve(['libsystemd0'], new Universe([DEBIAN, rpi]), { have: HAVE });
    expect(r.packages.map((p) => `${p.name}=${p.version}@${p.source.archive}`)).toEqual([
      'libsystemd0=252.38-1~deb12u1@debian',
      'libzstd1=1.5.4+dfsg2-5+rpt1@raspberrypi',
    ]);
  });

  it('refuses an unknown package with did-you-mean from the index', () => {
    let err: unknown;
    try {
      resolve(['libssl-deb'], new Universe([DEBIAN]), { have: HAVE });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResolveError);
    expect((err as ResolveError).unknown).toBe('libssl-deb');
    expect((err as ResolveError).suggestions[0]).toBe('libssl-dev');
    expect(suggest('dbus-1', DEBIAN.names())).toContain('libdbus-1-dev');
    expect(suggest('zzzzzzzzzz', DEBIAN.names())).toEqual([]);
  });
});

describe('deb822 parsing', () => {
  it('reads paragraphs with continuation lines', () => {
    const p = parseParagraphs('A: 1\nB: x\n y\n\tz\n\n\nA: 2\r\n');
    expect(p).toEqual([{ A: '1', B: 'x\ny\nz' }, { A: '2' }]);
  });

  it('reads the SHA256 list, Valid-Until, components and by-hash of a Release', () => {
    const r = parseRelease(
      [
        'Codename: bookworm',
        'Valid-Until: Sat, 10 Jun 2023 09:26:25 UTC',
        'Components: main updates/contrib',
        'Architectures: arm64 armhf',
        'Acquire-By-Hash: yes',
        'SHA256:',
        ` ${'b'.repeat(64)}   1234 main/binary-arm64/Packages.xz`,
        ` ${'c'.repeat(64)}   5678 main/binary-arm64/Packages`,
        ' junk line',
      ].join('\n'),
    );
    expect(r.validUntil?.toISOString()).toBe('2023-06-10T09:26:25.000Z');
    expect(r.components).toEqual(['main', 'contrib']);
    expect(r.architectures).toEqual(['arm64', 'armhf']);
    expect(r.acquireByHash).toBe(true);
    expect(r.files.get('main/binary-arm64/Packages.xz')).toEqual({
      sha256: 'b'.repeat(64),
      size: 1234,
    });
    const choice = chooseIndex(r.files, 'main', 'arm64');
    expect(choice?.path).toBe('main/binary-arm64/Packages.xz');
    expect(choice?.plain?.size).toBe(5678);
    expect(chooseIndex(r.files, 'main', 'armhf')).toBeNull();
    expect(() => parseRelease('Valid-Until: someday\n')).toThrow(/Valid-Until/);
  });

  it('reads dependency fields: alternatives, relations, arch qualifiers, obsolete < and >', () => {
    expect(parseDepends('a (>= 1.0) | b:any, c (<< 2), d [arm64], e (< 3)')).toEqual([
      [
        { name: 'a', archQualifier: null, relation: '>=', version: '1.0' },
        { name: 'b', archQualifier: 'any', relation: null, version: null },
      ],
      [{ name: 'c', archQualifier: null, relation: '<<', version: '2' }],
      [{ name: 'd', archQualifier: null, relation: null, version: null }],
      [{ name: 'e', archQualifier: null, relation: '<=', version: '3' }],
    ]);
    expect(parseDepends(undefined)).toEqual([]);
    expect(() => parseDepends('a (>= 1.0')).toThrow(/unreadable dependency/);
  });
});
