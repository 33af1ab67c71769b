/**
 * The closure resolver's branches that the mutation run found unjudged: unversioned provides
 * against a versioned need, a name already chosen at a version that does not fit, what is met
 * by what is already chosen, Essential packages, every part of the "cannot be met" message and
 * the did-you-mean ranking.
 */
import { describe, expect, it } from '@jest/globals';
import { PackageIndex } from '../../src/sysroot/packages.js';
import { resolve, ResolveError, suggest, Universe } from '../../src/sysroot/resolve.js';
import type { SuiteSource } from '../../src/sysroot/archives.js';

const SHA = 'a'.repeat(64);
const SOURCE: SuiteSource = {
  archive: 'debian',
  label: 'debian',
  base: 'http://mirror/debian',
  suite: 'bookworm',
  components: ['main'],
  debArch: 'arm64',
  keyset: 'debian',
  optional: false,
};

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

const universe = (...stanzas: string[]) =>
  new Universe([new PackageIndex(`${stanzas.join('\n\n')}\n`, SOURCE, 'main')]);
const HAVE = new Set(['libc6', 'libc6-dev']);
const names = (r: ReturnType<typeof resolve>) => r.packages.map((p) => `${p.name}=${p.version}`);

function resolveError(fn: () => unknown): ResolveError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ResolveError) return e;
    throw e;
  }
  throw new Error('expected a ResolveError');
}

describe('virtual packages', () => {
  it('an unversioned provide never meets a versioned need, nor one of a lower version', () => {
    const u = universe(
      stanza('needs-abi', '1', { Depends: 'libfoo-abi (>= 2)' }),
      stanza('libfoo-any', '9.0', { Provides: 'libfoo-abi' }),
      stanza('libfoo1', '1.0', { Provides: 'libfoo-abi (= 1)' }),
    );
    expect(resolveError(() => resolve(['needs-abi'], u, { have: HAVE })).message).toBe(
      "needs-abi 1 needs 'libfoo-abi (>= 2)', which cannot be met: no index has libfoo-abi",
    );
    // Unversioned, the need takes the provider.
    const v = universe(
      stanza('needs-abi', '1', { Depends: 'libfoo-abi' }),
      stanza('libfoo-any', '9.0', { Provides: 'libfoo-abi' }),
    );
    expect(names(resolve(['needs-abi'], v, { have: HAVE }))).toEqual([
      'needs-abi=1',
      'libfoo-any=9.0',
    ]);
  });

  it('a requested virtual name is resolved through its provider', () => {
    const u = universe(stanza('mawk', '1.3.4', { Provides: 'awk' }));
    const r = resolve(['awk'], u, { have: HAVE });
    expect(names(r)).toEqual(['mawk=1.3.4']);
    expect(r.neededBy.get('mawk')).toBeNull();
  });

  it('a need already met by a chosen provider adds nothing more', () => {
    const u = universe(
      stanza('app-dev', '1', { Depends: 'mawk, awk' }),
      stanza('mawk', '1.3.4', { Provides: 'awk' }),
      stanza('gawk', '5.2', { Provides: 'awk' }),
    );
    expect(names(resolve(['app-dev'], u, { have: HAVE }))).toEqual(['app-dev=1', 'mawk=1.3.4']);
  });

  it("a need met by the toolchain's own provider is recorded as from the toolchain", () => {
    const u = universe(
      stanza('app-dev', '1', { Depends: 'libc-dev | libmusl-dev' }),
      stanza('libc6-dev', '2.36-9', { Provides: 'libc-dev' }),
      stanza('libmusl-dev', '1.2'),
    );
    const r = resolve(['app-dev'], u, { have: HAVE });
    expect(names(r)).toEqual(['app-dev=1']);
    expect([...r.fromToolchain]).toEqual(['libc6-dev']);
  });
});

describe('versions and what is already chosen', () => {
  it('a second need of a chosen package at a version it does not have fails, naming it', () => {
    const u = universe(
      stanza('top', '1', { Depends: 'liba (= 1.0), libb' }),
      stanza('libb', '1', { Depends: 'liba (>= 2.0)' }),
      stanza('liba', '1.0'),
      stanza('liba', '2.0'),
    );
    expect(resolveError(() => resolve(['top'], u, { have: HAVE })).message).toBe(
      "libb 1 needs 'liba (>= 2.0)', which cannot be met: liba 1.0 is already chosen",
    );
  });

  it('takes the next alternative when the first is chosen at the wrong version', () => {
    const u = universe(
      stanza('top', '1', { Depends: 'liba (= 1.0), libb' }),
      stanza('libb', '1', { Depends: 'liba (>= 2.0) | libc-compat' }),
      stanza('liba', '1.0'),
      stanza('liba', '2.0'),
      stanza('libc-compat', '3'),
    );
    expect(names(resolve(['top'], u, { have: HAVE }))).toEqual([
      'top=1',
      'liba=1.0',
      'libb=1',
      'libc-compat=3',
    ]);
  });

  it('takes the highest version that meets the need, not just the highest', () => {
    const u = universe(
      stanza('top', '1', { Depends: 'liba (<< 2.0)' }),
      stanza('liba', '1.0'),
      stanza('liba', '1.5'),
      stanza('liba', '2.0'),
    );
    expect(names(resolve(['top'], u, { have: HAVE }))).toEqual(['top=1', 'liba=1.5']);
  });

  it('lists every alternative in the message, each with its own reason', () => {
    const u = universe(
      stanza('top', '1', { Depends: 'liba (>= 3) | libgone' }),
      stanza('liba', '1'),
    );
    expect(resolveError(() => resolve(['top'], u, { have: HAVE })).message).toBe(
      "top 1 needs 'liba (>= 3) | libgone', which cannot be met: the index has liba 1 only, not liba (>= 3); no index has libgone",
    );
    const two = universe(
      stanza('top', '1', { Depends: 'liba (>= 3)' }),
      stanza('liba', '1'),
      stanza('liba', '2'),
    );
    expect(resolveError(() => resolve(['top'], two, { have: HAVE })).message).toMatch(
      /the index has liba 1, 2 only, not liba \(>= 3\)$/,
    );
  });
});

describe('what is not followed', () => {
  it('Essential packages are skipped, Multi-Arch: foreign ones unless kept', () => {
    const u = universe(
      stanza('top', '1', { Depends: 'perl-base, pkgconf' }),
      stanza('perl-base', '5.36', { Essential: 'yes' }),
      stanza('pkgconf', '1.8', { 'Multi-Arch': 'foreign' }),
    );
    const r = resolve(['top'], u, { have: HAVE });
    expect(names(r)).toEqual(['top=1']);
    expect([...r.skipped]).toEqual([
      ['perl-base', 'top'],
      ['pkgconf', 'top'],
    ]);
    const kept = resolve(['top'], u, { have: HAVE, keepForeign: () => true });
    expect(names(kept)).toEqual(['top=1', 'pkgconf=1.8']);
    expect([...kept.skipped.keys()]).toEqual(['perl-base']);
  });

  it('a requested name the toolchain has is not fetched, and is listed once', () => {
    const u = universe(stanza('top', '1', { Depends: 'libc6 (>= 2.34), libc6' }));
    const r = resolve(['libc6', 'top'], u, { have: HAVE });
    expect(names(r)).toEqual(['top=1']);
    expect([...r.fromToolchain]).toEqual(['libc6']);
  });
});

describe('needs met by what is already there', () => {
  it('a package needed again, at a version it has, is taken once', () => {
    const u = universe(
      stanza('top', '1', { Depends: 'liba, libb' }),
      stanza('libb', '1', { Depends: 'liba (>= 1.0)' }),
      stanza('liba', '1.0'),
    );
    const r = resolve(['top'], u, { have: HAVE });
    expect(names(r)).toEqual(['top=1', 'liba=1.0', 'libb=1']);
    expect(r.neededBy.get('liba')).toBe('top');
  });

  it('a requested name the toolchain has is recorded even when nothing else needs it', () => {
    const r = resolve(['libc6-dev', 'top'], universe(stanza('top', '1')), { have: HAVE });
    expect(names(r)).toEqual(['top=1']);
    expect([...r.fromToolchain]).toEqual(['libc6-dev']);
  });

  it('only the providers the toolchain has are recorded as from the toolchain', () => {
    const u = universe(
      stanza('app-dev', '1', { Depends: 'libc-dev | awk' }),
      stanza('libc6-dev', '2.36-9', { Provides: 'libc-dev' }),
      stanza('mawk', '1.3.4', { Provides: 'awk' }),
    );
    expect([...resolve(['app-dev'], u, { have: HAVE }).fromToolchain]).toEqual(['libc6-dev']);
  });

  it('an error about a need carries no did-you-mean', () => {
    const u = universe(stanza('top', '1', { Depends: 'libgone' }));
    const e = resolveError(() => resolve(['top'], u, { have: HAVE }));
    expect([e.unknown, e.suggestions]).toEqual([null, []]);
  });
});

describe('suggest', () => {
  const pool = [
    'libssl-dev',
    'libssl3',
    'openssl',
    'libsqlite3-dev',
    'zlib1g-dev',
    'libz-dev',
    'libudev-dev',
    'libudev1',
  ];

  it('ranks by edit distance, then by name, three at most', () => {
    expect(suggest('libssl-deb', pool)).toEqual(['libssl-dev']);
    expect(suggest('libudev', pool)).toEqual(['libudev-dev', 'libudev1', 'libz-dev']);
    expect(suggest('libsl3', ['libssl3', 'libsl', 'libs3', 'libsl33', 'xlibsl3'])).toEqual([
      'libs3',
      'libsl',
      'libsl33',
    ]);
  });

  it('the -dev and lib…-dev of what was written come first, however long the name is', () => {
    expect(suggest('z', ['libz-dev', 'z-dev', 'zz'])).toEqual(['libz-dev', 'z-dev', 'zz']);
    expect(suggest('sqlite3', pool)).toEqual(['libsqlite3-dev']);
    // Too long for the distance limit, libudev1 is not offered; lib<name> and its -dev are.
    expect(suggest('udev', ['libudev', 'libudev-dev', 'libudev1'])).toEqual([
      'libudev',
      'libudev-dev',
    ]);
  });

  it('a long name: its -dev and lib…-dev within the distance limit still come first', () => {
    const name = 'averyveryverylongpackagename'; // 28 characters: the limit is 7
    expect(suggest(name, [`${name.slice(0, -1)}x`, `lib${name}-dev`])).toEqual([
      `lib${name}-dev`,
      `${name.slice(0, -1)}x`,
    ]);
    const short = name.slice(0, 16); // the limit is 4
    expect(suggest(short, [`${short.slice(0, -1)}x`, `${short}-dev`])).toEqual([
      `${short}-dev`,
      `${short.slice(0, -1)}x`,
    ]);
  });

  it('the distance limit grows with the name: a quarter of its length, two at least', () => {
    expect(suggest('abcdefgh', ['abcdefxx', 'abcdexxx'])).toEqual(['abcdefxx']);
    expect(suggest('abcdefghijkl', ['abcdefghixxx', 'abcdefghxxxx'])).toEqual(['abcdefghixxx']);
    expect(suggest('ab', ['ab12', 'ab123'])).toEqual(['ab12']);
  });

  it('an unknown root carries its suggestions', () => {
    const e = resolveError(() =>
      resolve(['libss-dev'], universe(stanza('libssl-dev', '3')), { have: HAVE }),
    );
    expect([e.message, e.unknown, e.suggestions]).toEqual([
      "'libss-dev' is not in the index",
      'libss-dev',
      ['libssl-dev'],
    ]);
  });
});
