import { describe, expect, it } from '@jest/globals';
import {
  formatGroup,
  parseDepends,
  parseParagraphs,
  parseRelease,
  parseReleaseDate,
} from '../../src/sysroot/deb822.js';

// Excerpts of real files, copied verbatim from the test bed's mirror (Debian bookworm and
// bookworm-security, arm64): the shapes the parser meets in practice.
const BOOKWORM_INRELEASE = `Origin: Debian
Label: Debian
Suite: oldstable
Version: 12.15
Codename: bookworm
Changelogs: https://metadata.ftp-master.debian.org/changelogs/@CHANGEPATH@_changelog
Date: Sat, 11 Jul 2026 10:16:37 UTC
Acquire-By-Hash: yes
No-Support-for-Architecture-all: Packages
Architectures: all amd64 arm64 armel armhf i386 mips64el mipsel ppc64el s390x
Components: main contrib non-free-firmware non-free
Description: Debian 12.15 Released 11 July 2026
MD5Sum:
 3b716e59badbf5fabc139c31e360ddf4 49434864 main/binary-arm64/Packages
 350267c2cb4d99eb621f6daede9c68b6 11940185 main/binary-arm64/Packages.gz
SHA256:
 c7c883a61f348283050d3a754e7c8119117c4019bf65da804c78fdae315866f1 49434864 main/binary-arm64/Packages
 aee1ed47a695b38ecc6283e3952e8c3e18682cf7b2558ec62460a95c6d0b193b 11940185 main/binary-arm64/Packages.gz
 2ddb1737692e8c45c53e8d57c0ce4cd21c78c5703b830c3226b1423566a06c00  8689464 main/binary-arm64/Packages.xz
`;

const SECURITY_INRELEASE = `Origin: Debian
Label: Debian-Security
Suite: oldstable-security
Version: 12
Codename: bookworm-security
Date: Sun, 29 Nov 2026 00:53:13 UTC
Valid-Until: Sun, 06 Dec 2026 00:53:13 UTC
Acquire-By-Hash: yes
Architectures: amd64 arm64 armhf i386 ppc64el
Components: updates/main updates/contrib updates/non-free-firmware updates/non-free
Description: Debian 12 - Security Updates
SHA256:
 703c788812c8b65101b782b6a32edb048191cff2afa7daf84a3dd3994e761100  2564372 main/binary-arm64/Packages
 5b7d4b45a320f1b785d868b946ef7cae961ce969851173db89ebd8a3cd910037   381912 main/binary-arm64/Packages.xz
`;

const PACKAGES = `Package: libdbus-1-dev
Source: dbus
Version: 1.14.10-1~deb12u1
Installed-Size: 1029
Maintainer: Utopia Maintenance Team <pkg-utopia-maintainers@lists.alioth.debian.org>
Architecture: arm64
Depends: libdbus-1-3 (= 1.14.10-1~deb12u1), pkg-config, xml-core (>= 0.14)
Description: simple interprocess messaging system (development headers)
Multi-Arch: same
Homepage: https://dbus.freedesktop.org/
Description-md5: 59e71e7e764b950dc1184788af416a7e
Tag: devel::lang:c, devel::library, devel::rpc, implemented-in::c,
 protocol::TODO, role::devel-lib
Section: libdevel
Priority: optional
Filename: pool/main/d/dbus/libdbus-1-dev_1.14.10-1~deb12u1_arm64.deb
Size: 240836
MD5sum: cd3ef870a2a17a65462d985ea3121879
SHA256: 817caa440feee88d53dd74432ce633af8d351552cd71014bcc8c98380c9ed88c

Package: libssl3
Source: openssl
Version: 3.0.20-1~deb12u2
`;

describe('parseParagraphs on real and unusual deb822 text', () => {
  it('reads a real Packages excerpt: two stanzas, a continued field, colons inside values', () => {
    const [dbus, ssl, ...rest] = parseParagraphs(PACKAGES);
    expect(rest).toEqual([]);
    expect(dbus?.['Tag']).toBe(
      'devel::lang:c, devel::library, devel::rpc, implemented-in::c,\nprotocol::TODO, role::devel-lib',
    );
    expect(dbus?.['Homepage']).toBe('https://dbus.freedesktop.org/');
    expect(Object.keys(dbus ?? {})).toHaveLength(18);
    expect(ssl).toEqual({ Package: 'libssl3', Source: 'openssl', Version: '3.0.20-1~deb12u2' });
  });

  it('a line of only spaces or tabs separates paragraphs, as deb822(5) says', () => {
    expect(parseParagraphs('A: 1\n \t \nB: 2\n')).toEqual([{ A: '1' }, { B: '2' }]);
  });

  it('skips comment lines (even with a colon), but not a value that ends in #', () => {
    expect(parseParagraphs('# note: not a field\nA: 1#\n')).toEqual([{ A: '1#' }]);
  });

  it('ignores a continuation line with no field above it, and lines that are not fields', () => {
    expect(
      parseParagraphs(' orphan\n\tline\nA: 1\n\n junk\nno colon here\n: no name\nB: 2'),
    ).toEqual([{ A: '1' }, { B: '2' }]);
  });

  it('CRLF text reads as LF text; a value never loses its last character', () => {
    expect(parseParagraphs('A: 1\r\nB: x\r\n y\r\n\r\nC: 2\r\n')).toEqual([
      { A: '1', B: 'x\ny' },
      { C: '2' },
    ]);
    // A carriage return at the start of a line is not a line ending.
    expect(parseParagraphs('A: 1\n\rB: xy')).toEqual([{ A: '1', '\rB': 'xy' }]);
  });
});

describe('parseRelease on real InRelease text', () => {
  it('bookworm: only the SHA256 list, no Valid-Until', () => {
    const r = parseRelease(BOOKWORM_INRELEASE);
    expect([...r.files.keys()]).toEqual([
      'main/binary-arm64/Packages',
      'main/binary-arm64/Packages.gz',
      'main/binary-arm64/Packages.xz',
    ]);
    expect(r.files.get('main/binary-arm64/Packages.xz')).toEqual({
      sha256: '2ddb1737692e8c45c53e8d57c0ce4cd21c78c5703b830c3226b1423566a06c00',
      size: 8689464,
    });
    expect(r.validUntil).toBeNull();
    expect(r.components).toEqual(['main', 'contrib', 'non-free-firmware', 'non-free']);
    expect(r.architectures).toContain('arm64');
    expect(r.acquireByHash).toBe(true);
    expect(r.fields['Codename']).toBe('bookworm');
  });

  it('bookworm-security: Valid-Until, and updates/main read as main', () => {
    const r = parseRelease(SECURITY_INRELEASE);
    expect(r.validUntil?.toISOString()).toBe('2026-12-06T00:53:13.000Z');
    expect(r.components).toEqual(['main', 'contrib', 'non-free-firmware', 'non-free']);
    expect(r.files.size).toBe(2);
  });

  it('keeps only well-formed SHA256 lines: 64 hex digits, a decimal size, a name', () => {
    const hex = 'AB'.repeat(32);
    const r = parseRelease(
      [
        'SHA256:',
        ` ${hex} 10 ok`,
        ` ${hex} 10`, // no name
        ` ${hex} 10 a b`, // four fields
        ` ${'g'.repeat(64)} 10 not-hex`,
        ` x${hex} 10 prefixed`,
        ` ${hex}0 10 long`,
        ` ${hex} 12x size-suffix`,
        ` ${hex} x12 size-prefix`,
      ].join('\n'),
    );
    expect([...r.files.entries()]).toEqual([['ok', { sha256: hex.toLowerCase(), size: 10 }]]);
  });

  it('a Release with none of the optional fields: empty lists, no by-hash, no expiry', () => {
    const r = parseRelease('Origin: Debian\n');
    expect(r).toMatchObject({
      components: [],
      architectures: [],
      acquireByHash: false,
      validUntil: null,
    });
    expect(r.files.size).toBe(0);
    expect(parseRelease('Acquire-By-Hash: no\n').acquireByHash).toBe(false);
    expect(parseRelease('Acquire-By-Hash: Yes\n').acquireByHash).toBe(true);
  });

  it('names the unreadable Valid-Until value', () => {
    expect(() => parseRelease('Valid-Until: someday\n')).toThrow(
      new Error("unreadable Valid-Until 'someday'"),
    );
  });
});

describe('parseReleaseDate', () => {
  // Whether "UTC" is read as UTC or as local time shows only in a process whose zone is not
  // UTC; jest's copy of process.env cannot switch V8's zone, so that is not tested here.
  it('reads the RFC 2822 dates of Release files, and null for anything else', () => {
    expect(parseReleaseDate('Sat, 10 Jun 2023 09:26:25 UTC')?.toISOString()).toBe(
      '2023-06-10T09:26:25.000Z',
    );
    expect(parseReleaseDate('never')).toBeNull();
  });
});

describe('parseDepends on the forms Packages files use', () => {
  it('reads a real Depends line with alternatives, :any and versions', () => {
    const groups = parseDepends(
      'python3-aiohttp, python3-jinja2, python3-typing-extensions | python3 (>> 3.8), python3:any',
    );
    expect(groups.map(formatGroup)).toEqual([
      'python3-aiohttp',
      'python3-jinja2',
      'python3-typing-extensions | python3 (>> 3.8)',
      'python3',
    ]);
    expect(groups[3]?.[0]?.archQualifier).toBe('any');
  });

  it('spacing inside the parentheses is free: (>=1.0), ( >= 1.0 )', () => {
    const want = [[{ name: 'a', archQualifier: null, relation: '>=', version: '1.0' }]];
    expect(parseDepends('a (>=1.0)')).toEqual(want);
    expect(parseDepends('a ( >= 1.0 )')).toEqual(want);
  });

  it('skips architecture lists and build profiles, spaced or not, several of them', () => {
    const want = [{ name: 'a', archQualifier: null, relation: '>=', version: '1' }];
    for (const field of [
      'a (>= 1) [arm64]',
      'a (>= 1)[arm64]',
      'a (>= 1) [arm64] <!nocheck>',
      'a (>= 1) [arm64]<!nocheck>',
      'a (>= 1) <!nocheck> <cross !stage1>',
      'a (>= 1) <!nocheck><stage1>',
    ])
      expect([field, parseDepends(field)]).toEqual([field, [want]]);
  });

  it('empty items (a trailing comma, ", ,") are skipped, a continued field is one list', () => {
    expect(parseDepends('a, ,b,').map(formatGroup)).toEqual(['a', 'b']);
    expect(parseDepends('a,\nb (>= 2)').map(formatGroup)).toEqual(['a', 'b (>= 2)']);
  });

  it('names the unreadable alternative without its surrounding spaces', () => {
    expect(() => parseDepends('b,  a (>= 1.0 | c')).toThrow(
      new Error("unreadable dependency 'a (>= 1.0'"),
    );
  });
});
