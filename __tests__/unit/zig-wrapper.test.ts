import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { zigCommand, type WrapperConfig } from '../../src/zig/command.js';
import { formatResponseFile, parseResponseFile } from '../../src/zig/response-file.js';
import { shQuote, wrapperRoot, wrapperScript, writeWrappers } from '../../src/zig/wrappers.js';

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

describe('wrapperRoot', () => {
  const fallback = () => 'FALLBACK';

  it('is one private directory in a space-free tool cache, the same on every run', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'zw-cache-'));
    const dir = wrapperRoot(cache, fallback);
    expect(dir).toBe(path.join(cache, 'rpi-cross-zig-wrappers'));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(wrapperRoot(cache, fallback)).toBe(dir);
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('falls back to a fresh directory for a tool cache with spaces (cc-rs splits CC there)', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'zw cache '));
    expect(wrapperRoot(cache, fallback)).toBe('FALLBACK');
    expect(fs.readdirSync(cache)).toEqual([]);
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('falls back when the existing directory lets others in, or is a link', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'zw-cache-'));
    const dir = path.join(cache, 'rpi-cross-zig-wrappers');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o777);
    expect(wrapperRoot(cache, fallback)).toBe('FALLBACK');
    fs.rmSync(dir, { recursive: true });
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'zw-other-'));
    fs.symlinkSync(elsewhere, dir);
    expect(wrapperRoot(cache, fallback)).toBe('FALLBACK');
    fs.rmSync(cache, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('rewrites a reused set in place with the new contents', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zw-'));
    const a = writeWrappers(root, 't', CONFIG, { node: '/old/node', entry: '/e.js' });
    const b = writeWrappers(root, 't', CONFIG, { node: '/new/node', entry: '/e.js' });
    expect(b.cc).toBe(a.cc);
    expect(fs.readFileSync(b.cc, 'utf8')).toContain("'/new/node'");
    expect(fs.statSync(b.cc).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(b.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
