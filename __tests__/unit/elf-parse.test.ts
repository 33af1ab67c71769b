import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ElfError, parseElf, type ParsedElf } from '../../src/elf/parse.js';
import { readArmAttributes } from '../../src/elf/attributes.js';
import { Reader } from '../../src/elf/reader.js';
import { verifyElf } from '../../src/elf/verify.js';
import { EM_AARCH64, EM_ARM, targetSpec } from '../../src/targets/table.js';
import { elfCorpus, type Corpus, type CorpusName } from '../helpers/elf-corpus.js';

let corpus: Corpus;
const parsed = (name: CorpusName): ParsedElf => parseElf(readFileSync(corpus[name]));

beforeAll(() => {
  corpus = elfCorpus();
}, 120_000);

describe('parseElf on real binaries', () => {
  it('reads a dynamic aarch64 PIE', () => {
    const e = parsed('aarch64-good');
    expect([e.bits, e.endian, e.machine, e.type]).toEqual([64, 'little', EM_AARCH64, 3]);
    expect(e.arm).toBeNull();
    expect(e.interpreter).toBe('/lib/ld-linux-aarch64.so.1');
    expect(e.dynamic?.needed).toEqual(['libc.so.6']);
    expect(e.versionNeeds).toEqual([
      { file: 'libc.so.6', versions: expect.arrayContaining(['GLIBC_2.17', 'GLIBC_2.34']) },
    ]);
    expect(e.maxGlibc).toBe('2.34');
    expect([e.linkage, e.pie, e.isSharedLibrary]).toEqual(['dynamic', true, false]);
    expect(e.symbols).toEqual({ hasSymtab: true, hasDynsym: true, hasStart: true });
    expect(e.entryInExecutableSegment).toBe(true);
    expect(e.sections.map((s) => s.name)).toEqual(
      expect.arrayContaining(['.text', '.dynamic', '.gnu.version_r']),
    );
  });

  it('reads ARM e_flags and the aeabi attributes of a Debian armhf binary', () => {
    const e = parsed('armv7-good');
    expect([e.bits, e.machine]).toEqual([32, EM_ARM]);
    expect(e.arm).toEqual({ eabiVersion: 5, floatAbi: 'hard' });
    expect(e.interpreter).toBe('/lib/ld-linux-armhf.so.3');
    const a = e.armAttributes;
    expect(a).toMatchObject({ cpuArch: 10, cpuArchName: 'v7', cpuArchProfile: 'A', abiVfpArgs: 1 });
    expect(a).toMatchObject({ fpArchName: 'VFPv3-D16', thumbIsaUse: 2, cpuName: '7-A' });
  });

  it('tells ARMv6, soft-float and M-profile builds apart', () => {
    expect(parsed('armv6-freestanding').armAttributes).toMatchObject({
      cpuArchName: 'v6',
      fpArchName: 'VFPv2',
      thumbIsaUse: 1,
    });
    const armel = parsed('armel-soft-float');
    expect(armel.arm).toEqual({ eabiVersion: 5, floatAbi: 'soft' });
    expect(armel.armAttributes?.abiVfpArgs).toBeNull();
    expect(armel.interpreter).toBe('/lib/ld-linux.so.3');
    expect(parsed('armv7m-microcontroller').armAttributes).toMatchObject({
      cpuArchName: 'v7E-M',
      cpuArchProfile: 'M',
    });
  });

  it('classifies static, static-pie, shared libraries and objects', () => {
    expect(parsed('armv7-movw-static')).toMatchObject({
      linkage: 'static',
      interpreter: null,
      dynamic: null,
      maxGlibc: null,
    });
    expect(parsed('aarch64-static-pie')).toMatchObject({
      linkage: 'static-pie',
      pie: true,
      interpreter: null,
    });
    expect(parsed('aarch64-static-pie').dynamic?.needed).toEqual([]);
    expect(parsed('armhf-shared-lib')).toMatchObject({
      isSharedLibrary: true,
      entry: 0,
      pie: false,
    });
    expect(parsed('armhf-object')).toMatchObject({
      type: 1,
      programHeaders: [],
      entryInExecutableSegment: false,
    });
  });

  it('sees what bare-ld linking leaves out', () => {
    for (const name of ['armhf-bare-ld', 'aarch64-bare-ld-e-main'] as const) {
      const e = parsed(name);
      expect(e.symbols).toMatchObject({ hasSymtab: true, hasStart: false });
      expect(e.linkage).toBe('static');
      // Thumb bit set on ARM: the entry still counts as inside the code.
      expect(e.entryInExecutableSegment).toBe(true);
    }
    expect(parsed('armhf-bare-ld-libc').interpreter).toBe('/usr/lib/ld.so.1');
    const bad = parsed('armhf-entry-0x4');
    expect([bad.entry, bad.entryInExecutableSegment, bad.symbols.hasStart]).toEqual([
      4,
      false,
      true,
    ]);
  });

  it('rejects a truncated binary and a non-ELF file with ElfError', () => {
    expect(() => parsed('armv7-truncated')).toThrow(ElfError);
    expect(() => parsed('armv7-truncated')).toThrow(/^truncated: .* extends past end of file$/);
    expect(() => parsed('not-elf')).toThrow('not an ELF file (bad magic)');
  });

  it('parses and verifies a 5 MB binary with 30 000 symbols in well under 20 ms', () => {
    const bytes = readFileSync(corpus['armv7-big']);
    expect(bytes.length).toBeGreaterThan(5_000_000);
    const spec = targetSpec('armv7-unknown-linux-gnueabihf');
    const once = () => verifyElf(parseElf(bytes), { spec, glibcFloor: '2.36', piOs: 'bookworm' });
    once();
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = process.hrtime.bigint();
      once();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    expect(times[7]).toBeLessThan(20);
  });
});

describe('parseElf on hand-made input', () => {
  const header32 = () => {
    const b = new Uint8Array(52);
    b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    return b;
  };

  it('names the broken part', () => {
    expect(() => parseElf(new Uint8Array([0x7f, 0x45]))).toThrow('not an ELF file (bad magic)');
    expect(() => parseElf(header32().subarray(0, 10))).toThrow(
      'truncated: ELF identification is incomplete',
    );
    expect(() => parseElf(header32().subarray(0, 40))).toThrow(
      'truncated: ELF header extends past end of file',
    );
    const badClass = header32();
    badClass[4] = 3;
    expect(() => parseElf(badClass)).toThrow('unknown ELF class 3 (expected 1 or 2)');
    const phdrs = header32();
    phdrs.set([52, 0, 0, 0], 28); // e_phoff
    phdrs.set([32, 0, 1, 0], 42); // e_phentsize 32, e_phnum 1
    expect(() => parseElf(phdrs)).toThrow(
      'truncated: program header table extends past end of file',
    );
    const shdrs = header32();
    shdrs.set([52, 0, 0, 0], 32); // e_shoff
    shdrs.set([40, 0, 3, 0], 46); // e_shentsize 40, e_shnum 3
    expect(() => parseElf(shdrs)).toThrow(
      'truncated: section header table extends past end of file',
    );
  });

  it('accepts a bare header: no segments, no sections', () => {
    const e = parseElf(header32());
    expect([e.type, e.programHeaders.length, e.sections.length, e.armAttributes]).toEqual([
      0,
      0,
      0,
      null,
    ]);
  });
});

describe('readArmAttributes', () => {
  const le32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];
  const ascii = (s: string) => [...Buffer.from(s, 'latin1'), 0];
  /** 'A' + one vendor subsection holding one Tag_File sub-subsection with `attrs`. */
  const section = (vendor: string, attrs: number[], extra: number[] = []) => {
    const file = [1, ...le32(5 + attrs.length), ...attrs];
    const body = [...ascii(vendor), ...file, ...extra];
    return new Uint8Array([0x41, ...le32(4 + body.length), ...body]);
  };
  const read = (bytes: Uint8Array) =>
    readArmAttributes(new Reader(bytes, true, false), 0, bytes.length);

  it('decodes ULEB128 values and NTBS tags (4, 5, 67, odd tags above 32, Tag_compatibility)', () => {
    const attrs = [
      ...[5, ...ascii('ARM1176JZF-S')],
      ...[6, 7], // Tag_CPU_arch v6KZ
      ...[10, 2], // VFPv2
      ...[28, 1],
      ...[32, 1, ...ascii('gnu')], // Tag_compatibility: flag + vendor
      ...[65, ...ascii('x')], // odd tag > 32: string
      ...[66, 0x80, 0x01], // even tag > 32: ULEB 128
      ...[67, ...ascii('2.09')],
    ];
    const a = read(section('aeabi', attrs));
    expect(a).toMatchObject({
      cpuName: 'ARM1176JZF-S',
      cpuArch: 7,
      cpuArchName: 'v6KZ',
      fpArchName: 'VFPv2',
      abiVfpArgs: 1,
    });
    expect(a?.tags).toMatchObject({ 32: '1 gnu', 65: 'x', 66: 128, 67: '2.09' });
  });

  it('ignores other vendors and non-file scopes, and returns null without aeabi', () => {
    const sectionScope = [2, ...le32(9), 1, 0, 6, 14]; // Tag_Section: would say v8
    expect(read(section('aeabi', [6, 10], sectionScope))?.cpuArchName).toBe('v7');
    expect(read(section('gnu', [6, 10]))).toBeNull();
    expect(read(new Uint8Array([0x42, 0, 0]))).toBeNull();
  });

  it('throws ElfError on lengths that do not fit', () => {
    const s = section('aeabi', [6, 10]);
    s[1] = 200;
    expect(() => read(s)).toThrow('.ARM.attributes subsection length 200 is out of range');
    expect(() => read(section('aeabi', [6, 0x80]))).toThrow(/ends inside a ULEB128 value/);
    expect(() => read(section('aeabi', [5, 0x41]))).toThrow(ElfError);
  });

  it('reads exactly the tags there are: absent ones are null, unknown values are named', () => {
    expect(read(section('aeabi', [4, ...ascii('cortex-a7'), 6, 10]))).toEqual({
      cpuArch: 10,
      cpuArchName: 'v7',
      cpuArchProfile: null,
      cpuName: null,
      fpArch: null,
      fpArchName: null,
      simdArch: null,
      thumbIsaUse: null,
      abiVfpArgs: null,
      tags: { 4: 'cortex-a7', 6: 10 }, // Tag_CPU_raw_name (4) is a string too
    });
    expect(read(section('aeabi', [6, 99, 10, 42]))).toMatchObject({
      cpuArchName: 'unknown(99)',
      fpArchName: 'unknown(42)',
    });
    expect(read(section('aeabi', [10, 2]))).toMatchObject({ cpuArch: null, cpuArchName: null });
  });

  it('takes sub-subsections and subsections of the smallest legal size', () => {
    const empty = [1, ...le32(5)]; // Tag_File with no attributes
    const file = [1, ...le32(7), 6, 10];
    const aeabi = [...ascii('aeabi'), ...empty, ...file];
    const sub = (body: number[]) => [...le32(4 + body.length), ...body];
    // An empty vendor name: a 5-byte subsection, skipped.
    const bytes = new Uint8Array([0x41, ...sub([0]), ...sub(aeabi)]);
    expect(read(bytes)?.cpuArchName).toBe('v7');
  });

  it('names the part that does not fit', () => {
    const sub = (body: number[]) => [0x41, ...le32(4 + body.length), ...body];
    const vendor = ascii('aeabi');
    const cases: [number[], string][] = [
      [[...vendor, 1, ...le32(4)], '.ARM.attributes sub-subsection size 4 is out of range'],
      [[...vendor, 1, ...le32(200)], '.ARM.attributes sub-subsection size 200 is out of range'],
      [[...vendor, 0x81], 'truncated: .ARM.attributes sub-subsection ends inside a ULEB128 value'],
      [[...vendor, 1, 5, 0], 'truncated: .ARM.attributes sub-subsection size extends past end of file'],
      [[0x61, 0x62, 0x63], '.ARM.attributes vendor: string is not NUL-terminated'],
      [[...vendor, 1, ...le32(7), 6, 0x80], 'truncated: .ARM.attributes tag ends inside a ULEB128 value'],
    ]; // prettier-ignore
    for (const [body, message] of cases)
      expect(() => read(new Uint8Array(sub(body)))).toThrow(message);
    const short = new Uint8Array([0x41, ...le32(2), 0, 0]);
    expect(() => read(short)).toThrow('.ARM.attributes subsection length 2 is out of range');
    const cut = new Uint8Array([0x41, 5, 0]);
    expect(() => read(cut)).toThrow(
      'truncated: .ARM.attributes subsection length extends past end of file',
    );
    expect(() => readArmAttributes(new Reader(cut, true, false), 0, 9)).toThrow(
      'truncated: .ARM.attributes section extends past end of file',
    );
  });
});

const readelf = (() => {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!readelf) console.warn('SKIPPED: readelf oracle tests (binutils readelf is not installed)');

describe('readelf oracle', () => {
  const ORACLE: CorpusName[] = [
    'aarch64-good', 'aarch64-static-pie', 'armv7-good', 'armv6-freestanding', 'armv7-movw-static',
    'armel-soft-float', 'x86_64-host', 'armhf-bare-ld', 'aarch64-bare-ld-e-main',
    'armhf-bare-ld-libc', 'armhf-entry-0x4', 'armhf-object', 'armhf-shared-lib',
    'armv7m-microcontroller', 'armv7-big',
  ]; // prettier-ignore
  const re = (args: string[], name: CorpusName) =>
    execFileSync('readelf', ['-W', ...args, corpus[name]], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
    });

  (readelf ? it.each(ORACLE) : it.skip.each(ORACLE))('%s matches readelf', (name) => {
    const e = parsed(name);
    const hdr = re(['-h'], name);
    expect(hdr).toMatch(new RegExp(`Entry point address:\\s+0x${e.entry.toString(16)}\\n`));
    expect(Number(/Flags:\s+(0x[0-9a-f]+)/.exec(hdr)?.[1])).toBe(e.flags);
    expect(hdr.includes('hard-float ABI')).toBe(e.arm?.floatAbi === 'hard');
    const interp = /Requesting program interpreter: ([^\]]+)\]/.exec(re(['-l'], name))?.[1] ?? null;
    expect(e.interpreter).toBe(interp);
    const needed = [...re(['-d'], name).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(
      (m) => m[1],
    );
    expect(e.dynamic?.needed ?? []).toEqual(needed);
    const glibc = [...re(['-V'], name).matchAll(/Name: GLIBC_(\d+(?:\.\d+)*)/g)].map(
      (m) => m[1] ?? '',
    );
    glibc.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    expect(e.maxGlibc).toBe(glibc.at(-1) ?? null);
    const arch = /Tag_CPU_arch: (\S+)/.exec(re(['-A'], name))?.[1] ?? null;
    expect(e.armAttributes?.cpuArchName ?? null).toBe(arch);
    const sections = [...re(['-S'], name).matchAll(/^\s+\[\s*\d+\]\s(\S*)\s/gm)].map((m) => m[1]);
    expect(e.sections.map((s) => s.name)).toEqual(sections.map((s) => (s === 'NULL' ? '' : s)));
  });
});
