/**
 * The archive writers and packageTargets judged by the system tools users will run on them:
 * GNU tar, Info-ZIP unzip/zipinfo and sha256sum (argument arrays, no shell).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  packageTargets,
  sha256File,
  writeTarGz,
  writeZip,
  type ArchiveEntry,
} from '../../src/package/archive.js';
import { DEFAULT_MTIME } from '../../src/package/entries.js';

/** Runs a tool and insists it stays silent on stderr: tar and unzip report format problems there. */
function run(cmd: string, args: string[], cwd?: string): string {
  const env = { ...process.env, TZ: 'UTC' };
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', env });
  if (result.status !== 0 || result.stderr) {
    throw new Error(
      `${cmd} ${args.join(' ')} -> ${result.status ?? result.signal}: ${result.stderr}`,
    );
  }
  return result.stdout;
}

let tmp: string;
let script: string;
let blob: Buffer;
let readme: string;
const SCRIPT = '#!/bin/sh\necho "hello from the pi"\n';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'package-test-'));
  // Written without +x on purpose: packaging must make binaries executable regardless.
  script = path.join(tmp, 'hello');
  fs.writeFileSync(script, SCRIPT, { mode: 0o644 });
  blob = crypto.randomBytes(300_000); // incompressible: exercises zip's stored method
  readme = path.join(tmp, 'README.md');
  fs.writeFileSync(readme, '# pi tool\n'.repeat(200));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

afterEach(() => {
  delete process.env.SOURCE_DATE_EPOCH;
});

function fresh(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const deepName = `${'deep/'.repeat(30)}tool`; // 154 bytes: ustar prefix field
const longName = `${'x'.repeat(120)}-no-slash-so-gnu-longlink`; // needs a GNU 'L' record

function entries(): ArchiveEntry[] {
  return [
    { name: 'hello', path: script, mode: 0o755 },
    { name: 'data.bin', data: blob, mode: 0o644 },
    { name: 'notes.txt', data: Buffer.from('compressible '.repeat(1000)), mode: 0o644 },
    { name: deepName, data: Buffer.from('deep'), mode: 0o700 },
    { name: longName, data: Buffer.from('long'), mode: 0o755 },
  ];
}

function expectExtracted(dir: string): void {
  expect(fs.statSync(path.join(dir, 'hello')).mode & 0o777).toBe(0o755);
  expect(run(path.join(dir, 'hello'), [])).toBe('hello from the pi\n');
  expect(fs.readFileSync(path.join(dir, 'data.bin')).equals(blob)).toBe(true);
  expect(fs.statSync(path.join(dir, 'data.bin')).mode & 0o777).toBe(0o644);
  expect(fs.readFileSync(path.join(dir, deepName), 'utf8')).toBe('deep');
  expect(fs.statSync(path.join(dir, deepName)).mode & 0o777).toBe(0o700);
  expect(fs.readFileSync(path.join(dir, longName), 'utf8')).toBe('long');
  expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('compressible '.repeat(1000));
}

describe('writeTarGz', () => {
  it('is listed and extracted by GNU tar with names, modes and content intact', async () => {
    const dir = fresh('tar1');
    const archive = path.join(dir, 'out.tar.gz');
    await writeTarGz(archive, entries());
    const listing = run('tar', ['-tvzf', archive]);
    expect(listing).toMatch(
      new RegExp(`^-rwxr-xr-x 0/0 +${SCRIPT.length} 1980-01-01 00:00 hello$`, 'm'),
    );
    expect(listing).toContain(deepName);
    expect(listing).toContain(longName);
    const out = fresh('tar1/x');
    run('tar', ['-xzf', archive, '-C', out]);
    expectExtracted(out);
    expect(fs.statSync(path.join(out, 'hello')).mtimeMs / 1000).toBe(DEFAULT_MTIME);
  });

  it('is byte-identical across runs and honours SOURCE_DATE_EPOCH', async () => {
    const dir = fresh('tar2');
    await writeTarGz(path.join(dir, 'a.tar.gz'), entries());
    await writeTarGz(path.join(dir, 'b.tar.gz'), entries());
    const a = fs.readFileSync(path.join(dir, 'a.tar.gz'));
    expect(a.equals(fs.readFileSync(path.join(dir, 'b.tar.gz')))).toBe(true);

    process.env.SOURCE_DATE_EPOCH = '1700000000';
    await writeTarGz(path.join(dir, 'c.tar.gz'), entries());
    run('tar', ['-xzf', path.join(dir, 'c.tar.gz'), '-C', dir, 'hello']);
    expect(fs.statSync(path.join(dir, 'hello')).mtimeMs / 1000).toBe(1700000000);
  });

  it('rejects unsafe entry names and leaves no partial file on a read error', async () => {
    const dir = fresh('tar3');
    const out = path.join(dir, 'bad.tar.gz');
    await expect(
      writeTarGz(out, [{ name: '../evil', data: Buffer.from(''), mode: 0o644 }]),
    ).rejects.toThrow(/relative path without '\.\.'/);
    const missing = { name: 'gone', path: path.join(dir, 'missing'), mode: 0o755 };
    await expect(writeTarGz(out, [missing])).rejects.toThrow(/ENOENT/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('writeZip', () => {
  it('passes unzip -t, keeps unix modes and content', async () => {
    const dir = fresh('zip1');
    const archive = path.join(dir, 'out.zip');
    await writeZip(archive, entries());
    expect(run('unzip', ['-t', archive])).toMatch(/No errors detected/);
    const info = run('zipinfo', [archive]);
    expect(info).toMatch(
      new RegExp(`^-rwxr-xr-x +2\\.0 unx +${SCRIPT.length} .* 80-Jan-01 00:00 hello$`, 'm'),
    );
    expect(info).toMatch(/^-rw-r--r-- .* stor .* data\.bin$/m);
    expect(info).toMatch(/^-rw-r--r-- .* defN .* notes\.txt$/m);
    const out = fresh('zip1/x');
    run('unzip', ['-q', archive, '-d', out]);
    expectExtracted(out);
  });

  it('is byte-identical across runs', async () => {
    const dir = fresh('zip2');
    await writeZip(path.join(dir, 'a.zip'), entries());
    await writeZip(path.join(dir, 'b.zip'), entries());
    const a = fs.readFileSync(path.join(dir, 'a.zip'));
    expect(a.equals(fs.readFileSync(path.join(dir, 'b.zip')))).toBe(true);
  });
});

describe('sha256File', () => {
  it('matches sha256sum', async () => {
    const expected = run('sha256sum', [readme]).split(' ')[0];
    expect(await sha256File(readme)).toBe(expected);
  });
});

function groups(): Parameters<typeof packageTargets>[0]['groups'] {
  const vars = { package: 'pi-tool', version: '0.3.0', board: 'pi4', ref: 'main' };
  return [
    {
      target: 'aarch64-unknown-linux-gnu',
      vars: { ...vars, board: 'pi4' },
      binaries: [{ name: 'hello', path: script }],
    },
    {
      target: 'arm-unknown-linux-gnueabihf',
      vars: { ...vars, board: 'pi-zero' },
      binaries: [
        { name: 'hello', path: script },
        { name: 'data.bin', path: path.join(tmp, 'data.bin') },
      ],
    },
  ];
}

describe('packageTargets', () => {
  beforeAll(() => fs.writeFileSync(path.join(tmp, 'data.bin'), blob));

  it.each(['tar.gz', 'zip'] as const)(
    '%s: one archive per target, checksums sha256sum -c accepts',
    async (format) => {
      const outDir = path.join(tmp, `pkg-${format}`);
      const result = await packageTargets({
        outDir,
        format,
        nameTemplate: '{package}-{version}-{target}',
        groups: groups(),
        include: [readme],
      });
      const names = result.archives.map((a) => path.basename(a.path));
      expect(names).toEqual([
        `pi-tool-0.3.0-aarch64-unknown-linux-gnu.${format}`,
        `pi-tool-0.3.0-arm-unknown-linux-gnueabihf.${format}`,
      ]);
      expect(run('sha256sum', ['-c', 'SHA256SUMS'], outDir)).toMatch(/: OK\n.*: OK\n$/);
      for (const archive of result.archives) {
        expect(run('sha256sum', ['-c', `${path.basename(archive.path)}.sha256`], outDir)).toContain(
          ': OK',
        );
        expect(archive.sha256).toBe(await sha256File(archive.path));
      }
      const second = result.archives[1]?.path ?? '';
      const out = fresh(`pkg-${format}-x`);
      if (format === 'zip') run('unzip', ['-q', second, '-d', out]);
      else run('tar', ['-xzf', second, '-C', out]);
      expect(fs.readdirSync(out).sort()).toEqual(['README.md', 'data.bin', 'hello']);
      expect(fs.statSync(path.join(out, 'hello')).mode & 0o777).toBe(0o755);
      expect(fs.statSync(path.join(out, 'data.bin')).mode & 0o777).toBe(0o755);
      expect(fs.statSync(path.join(out, 'README.md')).mode & 0o777).toBe(0o644);
      expect(run(path.join(out, 'hello'), [])).toBe('hello from the pi\n');
    },
  );

  it("format 'none' copies the binaries (+x) per target and checksums them", async () => {
    const outDir = path.join(tmp, 'pkg-none');
    const result = await packageTargets({
      outDir,
      format: 'none',
      nameTemplate: 'ignored',
      groups: groups(),
      include: [readme],
    });
    const rel = result.archives.map((a) => path.relative(outDir, a.path));
    expect(rel).toEqual([
      'aarch64-unknown-linux-gnu/hello',
      'arm-unknown-linux-gnueabihf/hello',
      'arm-unknown-linux-gnueabihf/data.bin',
    ]);
    expect(fs.statSync(path.join(outDir, rel[0] ?? '')).mode & 0o777).toBe(0o755);
    expect(run('sha256sum', ['-c', 'SHA256SUMS'], outDir).match(/: OK$/gm)).toHaveLength(3);
    const targetDir = path.join(outDir, 'arm-unknown-linux-gnueabihf');
    expect(run('sha256sum', ['-c', 'data.bin.sha256'], targetDir)).toBe('data.bin: OK\n');
  });

  it('makes a nested output directory, packs again into it, and names {bin} after the binaries', async () => {
    const outDir = path.join(tmp, 'pkg-nested', 'a', 'b');
    const two = groups().slice(1); // binaries hello and data.bin
    const opts = { outDir, nameTemplate: '{bin}', groups: two, include: [] };
    const tgz = await packageTargets({ ...opts, format: 'tar.gz' });
    expect(tgz.archives.map((a) => path.basename(a.path))).toEqual(['hello-data.bin.tar.gz']);
    // format 'none' twice into the same directory: its per-target folder already exists.
    for (let i = 0; i < 2; i++) {
      const copied = await packageTargets({ ...opts, format: 'none' });
      expect(copied.archives).toHaveLength(2);
    }
  });

  it('refuses two targets rendering to one archive name before writing anything', async () => {
    const outDir = path.join(tmp, 'pkg-clash');
    const opts = { outDir, format: 'tar.gz' as const, groups: groups(), include: [] };
    await expect(packageTargets({ ...opts, nameTemplate: '{package}-{version}' })).rejects.toThrow(
      /aarch64-unknown-linux-gnu and arm-unknown-linux-gnueabihf both package to 'pi-tool-0\.3\.0\.tar\.gz'; include \{target\} in archive-name/,
    );
    expect(fs.existsSync(outDir)).toBe(false);
  });

  it('names a missing include file and a name clash inside one archive', async () => {
    const outDir = path.join(tmp, 'pkg-missing');
    const base = { outDir, format: 'zip' as const, nameTemplate: '{target}', groups: groups() };
    const missing = path.join(tmp, 'LICENSE');
    await expect(packageTargets({ ...base, include: [missing] })).rejects.toThrow(
      `Cannot read '${missing}', to be packaged as 'LICENSE'`,
    );
    await expect(packageTargets({ ...base, include: [script] })).rejects.toThrow(
      /Two files named 'hello' would go into the aarch64-unknown-linux-gnu package/,
    );
  });
});
