import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { cargoEnv } from '../../src/cargo/env.js';
import { mergeTrees } from '../../src/sysroot/merge.js';
import {
  compilerWrapper,
  packagesFor,
  providers,
  sharedLibraries,
  sysrootCacheKey,
  zigSysroot,
} from '../../src/sysroot/plan.js';
import { renderSummary } from '../../src/summary.js';
import { resolveTargets } from '../../src/targets/resolve.js';
import { zigCommand, type WrapperConfig } from '../../src/zig/command.js';

const [pi4] = resolveTargets('pi4');

describe('which packages, and the cache key', () => {
  test('every-target packages first, then the target’s own, each once', () => {
    const s = {
      all: ['libssl-dev'],
      byTriple: { a: ['libdbus-1-dev', 'libssl-dev'] },
      mirror: null,
      keyring: null,
    };
    expect(packagesFor(s, 'a')).toEqual(['libssl-dev', 'libdbus-1-dev']);
    expect(packagesFor(s, 'b')).toEqual(['libssl-dev']);
  });

  test('the key changes with a .deb (a point release) and the target, not with order', () => {
    const lines = ['pool/a.deb 11', 'pool/b.deb 22'];
    const k = sysrootCacheKey('t', ['debian/bookworm', 'debian/bookworm-updates'], lines);
    expect(k).toMatch(/^rust-rpi-cross-sysroot-t-[0-9a-f]{32}$/);
    expect(
      sysrootCacheKey('t', ['debian/bookworm-updates', 'debian/bookworm'], [...lines].reverse()),
    ).toBe(k);
    expect(
      sysrootCacheKey(
        't',
        ['debian/bookworm', 'debian/bookworm-updates'],
        ['pool/a.deb 11', 'pool/b.deb 23'],
      ),
    ).not.toBe(k);
    expect(sysrootCacheKey('u', ['debian/bookworm', 'debian/bookworm-updates'], lines)).not.toBe(k);
    expect(sysrootCacheKey('t', ['debian/bullseye'], lines)).not.toBe(k);
  });
});

describe('compiler wrappers', () => {
  test('the gcc wrapper passes --sysroot and every argument through, whatever the paths hold', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wrap it's "));
    const fake = path.join(dir, 'g c"c');
    fs.writeFileSync(fake, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    const w = path.join(dir, 'cc');
    fs.writeFileSync(w, compilerWrapper(fake, ['--sysroot=/m $x']), { mode: 0o755 });
    expect(execFileSync(w, ['-c', 'a b.c', '$(id)'], { encoding: 'utf8' })).toBe(
      '--sysroot=/m $x\n-c\na b.c\n$(id)\n',
    );
  });

  test('zig gets the packages as -isystem dirs always and -L dirs only when it links', () => {
    const config: WrapperConfig = {
      zig: '/z/zig',
      tool: 'cc',
      target: 'aarch64-linux-gnu.2.31',
      cpu: null,
      rules: { arch: 'aarch64', libc: 'gnu', zigVersion: '0.11.0' },
      sysroot: zigSysroot('/m', 'aarch64-linux-gnu'),
    };
    const f = { readFile: () => null, copyOf: () => '/x' };
    const compile = zigCommand(config, ['-c', 'a.c'], f);
    expect(compile).toEqual([
      'cc',
      '-target',
      'aarch64-linux-gnu.2.31',
      '-g',
      '-fno-sanitize=all',
      '-isystem',
      '/m/usr/include/aarch64-linux-gnu',
      '-isystem',
      '/m/usr/include',
      '-c',
      'a.c',
    ]);
    const link = zigCommand(config, ['a.o', '-lssl'], f);
    expect(link).toEqual(
      expect.arrayContaining(['-L/m/usr/lib/aarch64-linux-gnu', '-L/m/lib/aarch64-linux-gnu']),
    );
    expect(link.indexOf('-L/m/usr/lib/aarch64-linux-gnu')).toBeLessThan(link.indexOf('-lssl'));
    const plain: WrapperConfig = { ...config, sysroot: undefined };
    expect(zigCommand(plain, ['a.o'], f).some((a) => a.startsWith('-L') || a === '-isystem')).toBe(
      false,
    );
  });

  test('cargoEnv: the wrappers and the merged dir replace the toolchain’s for cc, linker and pkg-config', () => {
    const layout = {
      root: '/t',
      binPrefix: '/t/bin/aarch64-linux-gnu-',
      sysroot: '/t/aarch64-linux-gnu',
    };
    const env = cargoEnv(
      pi4!,
      { kind: 'gcc', layout, tools: { cxx: true, ranlib: true, strip: true } },
      null,
      {
        dir: '/m',
        cc: '/w/cc',
        cxx: '/w/c++',
      },
    );
    expect(env).toMatchObject({
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER: '/w/cc',
      CC_aarch64_unknown_linux_gnu: '/w/cc',
      CXX_aarch64_unknown_linux_gnu: '/w/c++',
      AR_aarch64_unknown_linux_gnu: '/t/bin/aarch64-linux-gnu-ar',
      PKG_CONFIG_SYSROOT_DIR_aarch64_unknown_linux_gnu: '/m',
      PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu:
        '/m/usr/lib/pkgconfig:/m/usr/share/pkgconfig:/m/usr/lib/aarch64-linux-gnu/pkgconfig',
    });
  });
});

describe('the merged sysroot', () => {
  test('directories both have are merged, the first source wins a name, the rest is one link each', () => {
    const t = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-'));
    const tc = path.join(t, 'tc');
    const ov = path.join(t, 'ov');
    const files: Record<string, string> = {
      'tc/lib/ld-linux-aarch64.so.1': 'loader',
      'tc/lib/libc.so.6': 'libc',
      'tc/include/stdio.h': 'h',
      'ov/lib/aarch64-linux-gnu/libz.so.1': 'z',
      'ov/lib/libc.so.6': 'not this one',
      'ov/usr/include/openssl/ssl.h': 'ssl',
    };
    for (const [p, c] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(t, p)), { recursive: true });
      fs.writeFileSync(path.join(t, p), c);
    }
    const m = path.join(t, 'merged');
    fs.mkdirSync(m);
    expect(mergeTrees(m, [tc, ov])).toEqual([path.join(ov, 'lib/libc.so.6')]);
    expect(fs.lstatSync(path.join(m, 'lib')).isDirectory()).toBe(true);
    expect(fs.readlinkSync(path.join(m, 'lib/libc.so.6'))).toBe(path.join(tc, 'lib/libc.so.6'));
    expect(fs.readlinkSync(path.join(m, 'lib/aarch64-linux-gnu'))).toBe(
      path.join(ov, 'lib/aarch64-linux-gnu'),
    );
    expect(fs.readlinkSync(path.join(m, 'usr'))).toBe(path.join(ov, 'usr'));
    expect(fs.readFileSync(path.join(m, 'usr/include/openssl/ssl.h'), 'utf8')).toBe('ssl');
    expect(fs.readFileSync(path.join(m, 'lib/ld-linux-aarch64.so.1'), 'utf8')).toBe('loader');
  });
});

describe('NEEDED → package', () => {
  const pkgs = [
    {
      name: 'libssl-dev',
      version: '3',
      libraries: sharedLibraries(['usr/lib/t/libssl.so', 'usr/include/openssl/ssl.h']),
    },
    {
      name: 'libssl3',
      version: '3',
      libraries: sharedLibraries([
        'usr/lib/t/libssl.so.3',
        'usr/lib/t/libcrypto.so.3',
        'usr/lib/t/engines-3/afalg.so',
      ]),
    },
  ];

  test('the runtime package that ships the soname; glibc’s are nobody’s', () => {
    expect(pkgs[0]?.libraries).toEqual(['libssl.so']);
    expect(providers(['libssl.so.3', 'libc.so.6', 'libcrypto.so.3'], pkgs)).toEqual([
      { soname: 'libssl.so.3', package: 'libssl3', version: '3' },
      { soname: 'libcrypto.so.3', package: 'libssl3', version: '3' },
    ]);
  });

  test('the summary lists the closure and an apt line per NEEDED library, escaped', () => {
    const md = renderSummary({
      piOs: 'bookworm',
      glibcFloor: '2.36',
      binaries: [
        {
          target: 'aarch64-unknown-linux-gnu',
          name: 'a|b',
          facts: {
            needed: ['libssl.so.3', 'libc.so.6'],
            runsOn: ['bookworm'],
            glibcNeeded: '2.34',
          },
          findings: [],
          boards: ['pi4'],
          size: 1,
          sha256: '0'.repeat(64),
          verdict: 'passed',
          smoke: null,
        } as never,
      ],
      toolchains: [],
      archives: [],
      artifacts: [],
      stages: [],
      sysroots: [
        {
          triple: 'aarch64-unknown-linux-gnu',
          resolved: ['libssl-dev=3', 'libssl3=3'],
          packages: pkgs,
        },
      ],
    });
    expect(md).toContain(
      '- `aarch64-unknown-linux-gnu`: <code>libssl-dev=3</code>, <code>libssl3=3</code>',
    );
    expect(md).toContain(
      '| `aarch64-unknown-linux-gnu` | <code>a&#124;b</code> | <code>libssl.so.3</code> | <code>apt install libssl3</code> (3) |',
    );
    expect(md).not.toContain('libc.so.6');
  });
});
