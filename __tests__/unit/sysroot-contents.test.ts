/**
 * The pure half of the missing-library hint: the failure texts (each quoted from a real run:
 * hello-sys built for pi4 by the bundled action without the package, the toolchain's gcc, zig
 * 0.11 and 0.14, qemu's loader; the newer pkg-config-rs and openssl-sys texts and lld's are from
 * public build logs and lld's source), and a scan of real lines of bookworm's Contents-arm64.
 */
import { describe, expect, test } from '@jest/globals';
import {
  ContentsScanner,
  chooseProvider,
  guessByName,
  parseContentsLine,
  wantedFiles,
  type Wanted,
} from '../../src/sysroot/contents.js';

const R = '/tmp/rpi-cap/tool-cache/rpi-cross-sysroot/aarch64-unknown-linux-gnu/merged/root';

/** openssl-sys 0.9.80 + pkg-config 0.3.25, as cargo printed it (paths shortened). */
const OPENSSL_SYS = `error: failed to run custom build command for \`openssl-sys v0.9.80\`

Caused by:
  process didn't exit successfully: \`/w/hello-sys/target/release/build/openssl-sys-33dcc4d2c78bb686/build-script-main\` (exit status: 101)
  --- stdout
  cargo:rerun-if-env-changed=PKG_CONFIG_SYSROOT_DIR_aarch64_unknown_linux_gnu
  run pkg_config fail: "\`PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=\\"1\\" PKG_CONFIG_LIBDIR=\\"${R}/usr/lib/pkgconfig:${R}/usr/share/pkgconfig:${R}/usr/lib/aarch64-linux-gnu/pkgconfig\\" PKG_CONFIG_SYSROOT_DIR=\\"${R}\\" \\"pkg-config\\" \\"--libs\\" \\"--cflags\\" \\"openssl\\"\` did not exit successfully: exit status: 1\\nerror: could not find system library 'openssl' required by the 'openssl-sys' crate\\n\\n--- stderr\\nPackage openssl was not found in the pkg-config search path.\\nPerhaps you should add the directory containing \`openssl.pc'\\nto the PKG_CONFIG_PATH environment variable\\nPackage 'openssl', required by 'virtual:world', not found\\n"

  --- stderr

  thread 'main' (29238) panicked at /usr/share/cargo/registry/openssl-sys-0.9.80/build/find_normal.rs:191:5:


  Could not find directory of OpenSSL installation, and this \`-sys\` crate cannot
  proceed without this knowledge. If OpenSSL is installed and this crate had
  trouble finding it,  you can set the \`OPENSSL_DIR\` environment variable for the
  compilation process.

  Make sure you also have the development packages of openssl installed.
  For example, \`libssl-dev\` on Ubuntu or \`openssl-devel\` on Fedora.

  $HOST = x86_64-unknown-linux-gnu
  $TARGET = aarch64-unknown-linux-gnu
  openssl-sys = 0.9.80
`;

/** hello-sys's own build.rs probing dbus-1 through pkg-config 0.3.25. */
const DBUS = `  thread 'main' (30747) panicked at build.rs:8:10:
  dbus-1.pc in the sysroot: \`PKG_CONFIG_ALLOW_SYSTEM_CFLAGS="1" PKG_CONFIG_LIBDIR="${R}/usr/lib/pkgconfig" "pkg-config" "--libs" "--cflags" "dbus-1"\` did not exit successfully: exit status: 1
  error: could not find system library 'dbus-1' required by the 'pi-hello-sys' crate

  --- stderr
  Package dbus-1 was not found in the pkg-config search path.
  Perhaps you should add the directory containing \`dbus-1.pc'
  to the PKG_CONFIG_PATH environment variable
  Package 'dbus-1', required by 'virtual:world', not found
`;

/** libsqlite3-sys 0.25 without libsqlite3.pc falls back to -lsqlite3: the link fails. */
const LD = `error: linking with \`${R}/../bin/cc\` failed: exit status: 1
  |
  = note: some arguments are omitted. use \`--verbose\` to show all linker arguments
  = note: /tc/x64/bin/../lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/bin/ld: cannot find -lsqlite3: No such file or directory
          collect2: error: ld returned 1 exit status
`;

const one = (text: string): Wanted[] => wantedFiles(text);

describe('wantedFiles: what the failure says is missing', () => {
  test('openssl-sys: openssl.pc first, its headers as the fallback, named once', () => {
    const both = [
      {
        what: 'openssl.pc',
        files: [
          { kind: 'pc', name: 'openssl.pc' },
          { kind: 'header', name: 'openssl/ssl.h' },
        ],
      },
    ];
    expect(one(OPENSSL_SYS)).toEqual(both);
    // Without the pkg-config part (OPENSSL_NO_PKG_CONFIG, or an older build script)
    const bare = OPENSSL_SYS.split('\n')
      .filter((l) => !l.includes('pkg_config'))
      .join('\n');
    expect(one(bare)).toEqual(both);
  });

  test('openssl-sys 0.9.100+ and pkg-config-rs 0.3.26+ (public build log)', () => {
    const text = `  Could not find openssl via pkg-config:

  pkg-config exited with status code 1
  > PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 pkg-config --libs --cflags openssl

  The system library \`openssl\` required by crate \`openssl-sys\` was not found.
  The file \`openssl.pc\` needs to be installed and the PKG_CONFIG_PATH environment variable must contain its parent directory.
  The PKG_CONFIG_PATH environment variable is not set.`;
    expect(one(text).map((w) => w.what)).toEqual(['openssl.pc']);
    expect(
      one(
        'The system library `zlib` required by crate `libz-sys` was not found.\nThe file `zlib.pc` needs to be installed and the PKG_CONFIG_PATH environment variable must contain its parent directory.',
      ),
    ).toEqual([{ what: 'zlib.pc', files: [{ kind: 'pc', name: 'zlib.pc' }] }]);
  });

  test('pkg-config: a crate’s own probe', () => {
    expect(one(DBUS)).toEqual([{ what: 'dbus-1.pc', files: [{ kind: 'pc', name: 'dbus-1.pc' }] }]);
  });

  test('GNU ld: -lsqlite3 is libsqlite3.so or .a; -l:file is that file', () => {
    expect(one(LD)).toEqual([
      {
        what: 'libsqlite3.so',
        files: [
          { kind: 'lib', name: 'libsqlite3.so' },
          { kind: 'lib', name: 'libsqlite3.a' },
        ],
      },
    ]);
    expect(one('/usr/bin/ld: cannot find -l:libudev.so.1: No such file or directory')).toEqual([
      { what: 'libudev.so.1', files: [{ kind: 'lib', name: 'libudev.so.1' }] },
    ]);
  });

  test('lld and zig’s linker (0.11 says Dynamic, 0.14 dynamic)', () => {
    expect(one('ld.lld: error: unable to find library -lasound').map((w) => w.what)).toEqual([
      'libasound.so',
    ]);
    expect(
      one(
        "error: unable to find Dynamic system library 'zzfoo' using strategy 'paths_first'. searched paths: none",
      ).map((w) => w.what),
    ).toEqual(['libzzfoo.so']);
    expect(
      one(
        "error: unable to find dynamic system library 'udev' using strategy 'paths_first'. searched paths: none",
      ).map((w) => w.what),
    ).toEqual(['libudev.so']);
  });

  test('gcc and clang/zig cc: a header, with its directory', () => {
    expect(
      one(`cargo:warning=z.c:1:10: fatal error: zlib.h: No such file or directory
    1 | #include <zlib.h>
      |          ^~~~~~~~`),
    ).toEqual([{ what: 'zlib.h', files: [{ kind: 'header', name: 'zlib.h' }] }]);
    expect(one('o.c:1:10: fatal error: openssl/ssl.h: No such file or directory')).toEqual([
      { what: 'openssl/ssl.h', files: [{ kind: 'header', name: 'openssl/ssl.h' }] },
    ]);
    expect(
      one(`z.c:1:10: fatal error: 'zlib.h' file not found
#include <zlib.h>`),
    ).toEqual([{ what: 'zlib.h', files: [{ kind: 'header', name: 'zlib.h' }] }]);
  });

  test('the loader, under qemu: the runtime soname', () => {
    expect(
      one(
        './d: error while loading shared libraries: libdbus-1.so.3: cannot open shared object file: No such file or directory',
      ),
    ).toEqual([{ what: 'libdbus-1.so.3', files: [{ kind: 'lib', name: 'libdbus-1.so.3' }] }]);
  });

  test('several missing files, in the order they appear; unrelated failures: none', () => {
    expect(one(`${DBUS}\n${LD}`).map((w) => w.what)).toEqual(['dbus-1.pc', 'libsqlite3.so']);
    expect(one('error[E0425]: cannot find value `x` in this scope')).toEqual([]);
    expect(one('error: could not compile `x` due to 1 previous error')).toEqual([]);
  });

  test('names that are not plain relative paths are dropped (they would go into the message)', () => {
    expect(one('fatal error: ../../etc/x.h: No such file or directory')).toEqual([]);
    expect(one("fatal error: '/abs/x.h' file not found")).toEqual([]);
    expect(one('cannot find -l::error::x')).toEqual([]);
    expect(one('Package ::warning::x was not found in the pkg-config search path')).toEqual([]);
  });
});

/** Real lines of bookworm main/Contents-arm64 (columns as published). */
const CONTENTS = `bin/bash                                                shells/bash
usr/include/CUnit/Basic.h                               libdevel/libcunit1-dev,libdevel/libcunit1-ncurses-dev
usr/include/openssl/ssl.h                               libdevel/libssl-dev
usr/include/zlib.h                                      libdevel/zlib1g-dev
lib/aarch64-linux-gnu/libdbus-1.so.3                    libs/libdbus-1-3
usr/lib/aarch64-linux-gnu/genwqe/libz.so                libdevel/libzadc-dev
usr/lib/aarch64-linux-gnu/libdbus-1.so                  libdevel/libdbus-1-dev
usr/lib/aarch64-linux-gnu/libsqlite3.so                 libdevel/libsqlite3-dev
usr/lib/aarch64-linux-gnu/libz.so                       libdevel/zlib1g-dev
usr/lib/aarch64-linux-gnu/libzstd.so                    libdevel/libzstd-dev
usr/lib/aarch64-linux-gnu/pkgconfig/dbus-1.pc           libdevel/libdbus-1-dev
usr/lib/aarch64-linux-gnu/pkgconfig/libssl.pc           libdevel/libssl-dev
usr/lib/aarch64-linux-gnu/pkgconfig/openssl.pc          libdevel/libssl-dev
usr/lib/aarch64-linux-gnu/pkgconfig/zlib.pc             libdevel/zlib1g-dev
usr/lib/dbus-1.0/debug-build/lib/libdbus-1.so.3         misc/dbus-tests
usr/lib/dbus-1.0/debug-build/lib/pkgconfig/dbus-1.pc    misc/dbus-tests
usr/lib/klibc/include/zlib.h                            libdevel/libklibc-dev
usr/share/cc65/include/zlib.h                           otherosfs/cc65
`;

const TRI = 'aarch64-linux-gnu';

function scan(wanted: Wanted[], text: string, chunk: number) {
  const s = new ContentsScanner(wanted, TRI);
  const b = Buffer.from(text, 'latin1');
  for (let i = 0; i < b.length; i += chunk) s.push(b.subarray(i, i + chunk));
  return s.end();
}

describe('Contents: parse, scan for the wanted files only, choose', () => {
  test('a line: the file, then a comma list of section/package', () => {
    expect(
      parseContentsLine(
        'usr/include/CUnit/Basic.h                               libdevel/libcunit1-dev,libdevel/libcunit1-ncurses-dev',
      ),
    ).toEqual({
      path: 'usr/include/CUnit/Basic.h',
      packages: ['libcunit1-dev', 'libcunit1-ncurses-dev'],
    });
    expect(parseContentsLine('usr/share/doc/a b/x   non-free/doc/pkg')).toEqual({
      path: 'usr/share/doc/a b/x',
      packages: ['pkg'],
    });
    expect(parseContentsLine('')).toBeNull();
    // Only Debian package names are named: the index's text goes into the error message.
    expect(
      parseContentsLine('usr/include/zlib.h   libdevel/::error::x,libdevel/zlib1g-dev'),
    ).toEqual({
      path: 'usr/include/zlib.h',
      packages: ['zlib1g-dev'],
    });
    expect(parseContentsLine('usr/include/zlib.h   libdevel/##[x]')).toBeNull();
  });

  test.each([1, 7, 64, 100000])(
    'in chunks of %i bytes: exact paths in the search dirs only, whatever the chunking',
    (chunk) => {
      const wanted = [
        ...wantedFiles(OPENSSL_SYS),
        ...wantedFiles(DBUS),
        ...wantedFiles('fatal error: zlib.h: No such file or directory'),
        ...wantedFiles('ld: cannot find -lz: No such file'),
        ...wantedFiles(
          'error while loading shared libraries: libdbus-1.so.3: cannot open shared object file',
        ),
      ];
      const hits = scan(wanted, CONTENTS, chunk);
      const provider = (w: Wanted) => chooseProvider(w, hits, TRI);
      expect(wanted.map(provider).map((p) => p && [p.package, p.path])).toEqual([
        ['libssl-dev', 'usr/lib/aarch64-linux-gnu/pkgconfig/openssl.pc'],
        // not the dbus-tests copy under debug-build/
        ['libdbus-1-dev', 'usr/lib/aarch64-linux-gnu/pkgconfig/dbus-1.pc'],
        // not klibc's or cc65's zlib.h
        ['zlib1g-dev', 'usr/include/zlib.h'],
        // not genwqe/libz.so, not libzstd.so
        ['zlib1g-dev', 'usr/lib/aarch64-linux-gnu/libz.so'],
        ['libdbus-1-3', 'lib/aarch64-linux-gnu/libdbus-1.so.3'],
      ]);
      expect([...(hits.get('zlib.h') ?? [])].map((h) => h.path)).toEqual(['usr/include/zlib.h']);
    },
  );

  test('the last line without a newline is read; a file no package has: null', () => {
    const w = wantedFiles('fatal error: zlib.h: No such file or directory');
    expect(
      chooseProvider(w[0] as Wanted, scan(w, 'usr/include/zlib.h   libdevel/zlib1g-dev', 5), TRI)
        ?.package,
    ).toBe('zlib1g-dev');
    const none = wantedFiles('Package nosuch was not found in the pkg-config search path');
    expect(chooseProvider(none[0] as Wanted, scan(none, CONTENTS, 64), TRI)).toBeNull();
  });

  test('openssl-sys without pkg-config: the header’s package; a -dev package wins over others', () => {
    const w: Wanted = {
      what: 'openssl.pc',
      files: [
        { kind: 'pc', name: 'openssl.pc' },
        { kind: 'header', name: 'openssl/ssl.h' },
      ],
    };
    const hits = scan([w], CONTENTS.replace(/^.*openssl\.pc.*\n/m, ''), 64);
    expect(chooseProvider(w, hits, TRI)).toMatchObject({
      package: 'libssl-dev',
      path: 'usr/include/openssl/ssl.h',
      file: { kind: 'header' },
    });
    const both = scan(
      [w],
      'usr/include/openssl/ssl.h   libs/libwolfssl-compat,libdevel/libssl-dev\n',
      64,
    );
    expect(chooseProvider(w, both, TRI)?.package).toBe('libssl-dev');
  });

  test('guessByName: -dev packages named after the file, from a Packages index’s names', () => {
    const names = [
      'zlib1g',
      'zlib1g-dev',
      'libssl-dev',
      'libssl3',
      'libdbus-1-dev',
      'libsqlite3-dev',
      'libzstd-dev',
      'dbus',
    ];
    const g = (text: string) => guessByName(wantedFiles(text)[0] as Wanted, names);
    expect(g('The file `zlib.pc` needs to be installed')).toEqual(['zlib1g-dev']);
    expect(g('Package dbus-1 was not found in the pkg-config search path')).toEqual([
      'libdbus-1-dev',
    ]);
    expect(g('fatal error: openssl/ssl.h: No such file or directory')).toEqual(['libssl-dev']);
    expect(g('ld: cannot find -lsqlite3: No such file')).toEqual(['libsqlite3-dev']);
    expect(g('Package nosuch was not found in the pkg-config search path')).toEqual([]);
    // a name the regex takes but Debian policy does not (it would go into the message)
    expect(
      guessByName(wantedFiles('fatal error: foo_bar.h: No such file or directory')[0] as Wanted, [
        'libfoo_bar-dev',
      ]),
    ).toEqual([]);
  });
});
