import { describe, expect, it } from '@jest/globals';
import { loadManifest, zigToolchains } from '../../src/toolchain/manifest.js';
import { ARG_RULES, rewriteArgs, ruleFor, type RuleContext } from '../../src/zig/rules.js';

const GNU_A64: RuleContext = { arch: 'aarch64', libc: 'gnu', zigVersion: '0.11.0' };
const GNU_ARM: RuleContext = { arch: 'arm', libc: 'gnu', zigVersion: '0.11.0' };
const MUSL_ARM: RuleContext = { arch: 'arm', libc: 'musl', zigVersion: '0.11.0' };
const ZIG14: RuleContext = { ...GNU_A64, zigVersion: '0.14.0-dev.2456+a68119f8f' };
const ZIG16: RuleContext = { ...GNU_A64, zigVersion: '0.16.0' };

// One case per rule: [rule, context, rustc/cc-rs arguments, what zig gets].
const CASES: [string, RuleContext, string[], string[]][] = [
  ['gcc_s', GNU_A64, ['-lgcc_s'], ['-lunwind']],
  ['target-eq', GNU_A64, ['--target=aarch64-unknown-linux-gnu', '-O2'], ['-O2']],
  ['target', GNU_A64, ['-target', 'aarch64-linux-gnu', 'a.o'], ['a.o']],
  ['entry', ZIG14, ['-emain'], ['-Wl,--entry=main']],
  ['arm-compiler-builtins', GNU_ARM, ['/t/deps/libcompiler_builtins-1a2b.rlib', 'x.o'], ['x.o']],
  ['no-undefined-version', GNU_A64, ['-Wl,--no-undefined-version'], []],
  ['nostart-stop-gc', GNU_A64, ['-Wl,-znostart-stop-gc'], []],
  ['fix-cortex-a53', GNU_A64, ['-Wl,--fix-cortex-a53-843419'], []],
  ['plugin-opt', GNU_A64, ['-Wl,-plugin-opt=O3'], []],
  ['strip-debug', GNU_A64, ['-Wl,--strip-debug'], []],
  ['musl-crt', MUSL_ARM, ['/r/lib/self-contained/crt1.o', 'm.o'], ['m.o']],
  ['musl-lc', MUSL_ARM, ['-lc', '-lunwind'], ['-lunwind']],
  ['wp', ZIG14, ['-Wp,-U_FORTIFY_SOURCE', '-Wp,-MD,dep.d'], ['-Wp,-MD,dep.d']],
  ['march-arm', GNU_ARM, ['-march=armv7-a', '-mfpu=vfpv3-d16'], ['-mfpu=vfpv3-d16']],
  ['march-aarch64', GNU_A64, ['-march=armv8-a+crc'], ['-mcpu=generic+crc']],
  ['dynamic-list', GNU_A64, ['-Wl,--dynamic-list', '-Wl,list.txt', 'a.o'], ['a.o']],
  ['dynamic-list-joined', GNU_A64, ['-Wl,--dynamic-list=list.txt'], []],
];

describe('zig argument rules', () => {
  it('has a case here for every rule', () => {
    expect(CASES.map((c) => c[0]).sort()).toEqual(ARG_RULES.map((r) => r.name).sort());
  });

  it.each(CASES)('%s', (name, ctx, args, want) => {
    expect(ruleFor(args[0] as string, ctx)?.name).toBe(name);
    expect(rewriteArgs(args, ctx)).toEqual(want);
  });

  it('keeps what rustc 1.96 passes that zig accepts', () => {
    const gnu = [
      '-Wl,--as-needed',
      '-Wl,-Bstatic',
      '-Wl,-Bdynamic',
      '-lutil',
      '-lc',
      '-Wl,--eh-frame-hdr',
      '-Wl,-z,noexecstack',
      '-Wl,-z,relro,-z,now',
      '-pie',
      '-nodefaultlibs',
      '-export-dynamic',
      '-Wp,-MMD',
    ];
    expect(rewriteArgs(gnu, GNU_ARM)).toEqual(gnu);
  });

  it('applies arch and libc rules only where they belong', () => {
    expect(rewriteArgs(['-lc'], GNU_ARM)).toEqual(['-lc']);
    expect(rewriteArgs(['/d/libcompiler_builtins-1.rlib'], GNU_A64)).toEqual([
      '/d/libcompiler_builtins-1.rlib',
    ]);
    expect(rewriteArgs(['/r/self-contained/crt1.o'], GNU_A64)).toEqual([
      '/r/self-contained/crt1.o',
    ]);
  });

  it('passes the crypto extension to the assembler in its -march spelling', () => {
    expect(rewriteArgs(['-march=armv8-a+crypto'], GNU_A64)).toEqual([
      '-mcpu=generic+crypto',
      '-Xassembler',
      '-march=armv8-a+crypto',
    ]);
  });

  it('leaves --dynamic-list to zig 0.16, which has it', () => {
    expect(rewriteArgs(['-Wl,--dynamic-list', '-Wl,l.txt'], ZIG16)).toEqual([
      '-Wl,--dynamic-list',
      '-Wl,l.txt',
    ]);
    expect(rewriteArgs(['-Wl,--dynamic-list=l.txt'], ZIG14)).toEqual([]);
  });

  it.each([...new Set(zigToolchains(loadManifest()).map((e) => e.release))])(
    'covers pinned zig %s: the pre-0.16 rules apply, the rest as for every version',
    (release) => {
      const ctx = { ...GNU_A64, zigVersion: release };
      expect(ruleFor('-Wl,--dynamic-list=l.txt', ctx)?.name).toBe('dynamic-list-joined');
      expect(rewriteArgs(['-emain', '-Wl,--fix-cortex-a53-843419', '-lgcc_s'], ctx)).toEqual([
        '-Wl,--entry=main',
        '-lunwind',
      ]);
    },
  );
});
