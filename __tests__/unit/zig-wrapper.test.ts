import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { zigCommand, type WrapperConfig } from '../../src/zig/command.js';
import { formatResponseFile, parseResponseFile } from '../../src/zig/response-file.js';
import { shQuote, wrapperScript, writeWrappers } from '../../src/zig/wrappers.js';

const CONFIG: WrapperConfig = {
  zig: '/z/zig',
  tool: 'cc',
  target: 'arm-linux-gnueabihf.2.31',
  cpu: 'cortex_a7',
  rules: { arch: 'arm', libc: 'gnu', zigVersion: '0.11.0' },
};

function files(contents: Record<string, string>) {
  const written: string[] = [];
  return {
    written,
    readFile: (p: string) => contents[p] ?? null,
    copyOf: (c: string) => {
      written.push(c);
      return `/copy/${written.length}`;
    },
  };
}

describe('zigCommand', () => {
  it('puts the target with its floor and the CPU first, then the rewritten arguments', () => {
    const f = files({});
    expect(zigCommand(CONFIG, ['-march=armv7-a', 'a.c', '-lgcc_s'], f)).toEqual([
      'cc',
      '-target',
      'arm-linux-gnueabihf.2.31',
      '-mcpu=cortex_a7',
      '-g',
      '-fno-sanitize=all',
      'a.c',
      '-lunwind',
    ]);
  });

  it('omits -mcpu where zig’s generic CPU is meant', () => {
    const cmd = zigCommand({ ...CONFIG, cpu: null }, ['a.c'], files({}));
    expect(cmd.some((a) => a.startsWith('-mcpu'))).toBe(false);
  });

  it('rewrites a copy of rustc’s @file, never the original', () => {
    const original = '-lgcc_s\n/t/a\\ b.o\n-Wl,--no-undefined-version\n';
    const f = files({ '/tmp/rustc1/linker-arguments': original });
    const cmd = zigCommand(CONFIG, ['-o', 'out', '@/tmp/rustc1/linker-arguments'], f);
    expect(cmd.slice(-3)).toEqual(['-o', 'out', '@/copy/1']);
    expect(parseResponseFile(f.written[0] as string)).toEqual(['-lunwind', '/t/a b.o']);
  });

  it('leaves @words that are not files alone', () => {
    expect(zigCommand(CONFIG, ['@nothing'], files({})).at(-1)).toBe('@nothing');
  });

  it('passes ar and ranlib arguments through untouched', () => {
    const args = ['cq', 'lib x.a', '-march=armv7-a'];
    expect(zigCommand({ ...CONFIG, tool: 'ar' }, args, files({}))).toEqual(['ar', ...args]);
  });
});

describe('response files', () => {
  it('round-trips spaces, quotes and backslashes', () => {
    const args = ['a b', "it's", 'say "hi"', 'back\\slash', 'tab\there', ''];
    expect(parseResponseFile(formatResponseFile(args))).toEqual(args);
  });

  it('reads rustc’s escaping (backslash before space and backslash)', () => {
    expect(parseResponseFile('/a\\ dir/x.o\nC:\\\\x\n')).toEqual(['/a dir/x.o', 'C:\\x']);
  });

  it('reads quoted arguments as GNU tools do', () => {
    expect(parseResponseFile(`"a b" 'c d'  e`)).toEqual(['a b', 'c d', 'e']);
  });
});

describe('wrapper scripts', () => {
  it('single-quotes every path, quotes included', () => {
    expect(shQuote("a b'c")).toBe(`'a b'\\''c'`);
  });

  it('run node with the entry and config through /bin/sh, for paths with spaces and quotes', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `zw it's "q" `));
    const entry = path.join(root, 'echo args.mjs');
    fs.writeFileSync(entry, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    const w = writeWrappers(root, 'armv7-unknown-linux-gnueabihf', CONFIG, {
      node: process.execPath,
      entry,
    });
    expect(fs.statSync(w.dir).mode & 0o777).toBe(0o700);
    const script = fs.readFileSync(w.cc, 'utf8');
    expect(script).toBe(wrapperScript(process.execPath, entry, path.join(w.dir, 'cc.json')));
    const argv = ['$(touch pwned)', "'", '"', 'a b', '`id`', '*'];
    const out = execFileSync(w.cc, argv, { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([path.join(w.dir, 'cc.json'), ...argv]);
    expect(fs.existsSync(path.join(root, 'pwned'))).toBe(false);
    const cfg = JSON.parse(fs.readFileSync(path.join(w.dir, 'c++.json'), 'utf8')) as WrapperConfig;
    expect(cfg).toEqual({ ...CONFIG, tool: 'c++' });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('name the directory after zig, target, floor and CPU, so cargo relinks when they change', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zw-'));
    const rt = { node: process.execPath, entry: '/e.js' };
    const a = writeWrappers(root, 't', CONFIG, rt);
    const b = writeWrappers(root, 't', { ...CONFIG, target: 'arm-linux-gnueabihf.2.28' }, rt);
    expect(a.dir).not.toBe(b.dir);
    expect(writeWrappers(root, 't', CONFIG, rt).dir).toBe(a.dir);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
