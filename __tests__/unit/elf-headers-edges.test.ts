/**
 * The ELF reader's branches that the mutation run found unjudged, on real binaries from the
 * corpus with one header field changed the way a crafted, damaged or unusual file has it:
 * extended section/segment numbering, big-endian data, broken dynamic tables, an ET_DYN without
 * an interpreter or without DF_1_PIE, and what readelf says of every section header.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseElf, type ParsedElf } from '../../src/elf/parse.js';
import { elfCorpus, type Corpus, type CorpusName } from '../helpers/elf-corpus.js';

let corpus: Corpus;
beforeAll(() => {
  corpus = elfCorpus();
}, 120_000);

const bytesOf = (name: CorpusName): Uint8Array => new Uint8Array(readFileSync(corpus[name]));
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const PT_NULL = 0;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_STRTAB = 5;
const DT_FLAGS_1 = 0x6ffffffb;
const DT_VERNEEDNUM = 0x6fffffff;

/** Program header `i`'s file offset in a little-endian 64- or 32-bit file. */
function phdrAt(b: Uint8Array, i: number): number {
  const v = view(b);
  return b[4] === 2
    ? Number(v.getBigUint64(32, true)) + i * v.getUint16(54, true)
    : v.getUint32(28, true) + i * v.getUint16(42, true);
}

function setSegmentType(b: Uint8Array, e: ParsedElf, type: number, to: number): void {
  const i = e.programHeaders.findIndex((p) => p.type === type);
  expect(i).toBeGreaterThanOrEqual(0);
  view(b).setUint32(phdrAt(b, i), to, true);
}

/** Rewrites the value (or with `tag`, the tag) of the first dynamic entry with tag `which`. */
function patchDynamic(
  b: Uint8Array,
  e: ParsedElf,
  which: number,
  set: { value?: number; tag?: number },
) {
  const seg = e.programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (!seg) throw new Error('no PT_DYNAMIC');
  const v = view(b);
  const wide = b[4] === 2;
  const size = wide ? 16 : 8;
  for (let off = seg.offset; off < seg.offset + seg.filesz; off += size) {
    const tag = wide ? Number(v.getBigUint64(off, true)) : v.getUint32(off, true);
    if (tag !== which) continue;
    if (set.tag !== undefined) {
      if (wide) v.setBigUint64(off, BigInt(set.tag), true);
      else v.setUint32(off, set.tag, true);
    }
    if (set.value !== undefined) {
      if (wide) v.setBigUint64(off + 8, BigInt(set.value), true);
      else v.setUint32(off + 4, set.value, true);
    }
    return;
  }
  throw new Error(`no dynamic tag ${which}`);
}

const facts = (e: ParsedElf) => ({
  programHeaders: e.programHeaders,
  sections: e.sections.map((s) => s.name),
  needed: e.dynamic?.needed,
  maxGlibc: e.maxGlibc,
});

describe('extended numbering (PN_XNUM, SHN_XINDEX, e_shnum 0)', () => {
  it.each(['aarch64-good', 'armv7-good'] as const)(
    '%s: the counts moved into section 0 read the same',
    (name) => {
      const b = bytesOf(name);
      const e = parseElf(b);
      const v = view(b);
      const wide = b[4] === 2;
      const shoff = wide ? Number(v.getBigUint64(40, true)) : v.getUint32(32, true);
      const [phnum, shnum, shstrndx] = wide ? [56, 60, 62] : [44, 48, 50];
      const [size, link, info] = wide ? [32, 40, 44] : [20, 24, 28];
      const counts = [
        v.getUint16(phnum, true),
        v.getUint16(shnum, true),
        v.getUint16(shstrndx, true),
      ];
      if (wide) v.setBigUint64(shoff + size, BigInt(counts[1] as number), true);
      else v.setUint32(shoff + size, counts[1] as number, true);
      v.setUint32(shoff + link, counts[2] as number, true);
      v.setUint32(shoff + info, counts[0] as number, true);
      v.setUint16(phnum, 0xffff, true);
      v.setUint16(shnum, 0, true);
      v.setUint16(shstrndx, 0xffff, true);
      expect(facts(parseElf(b))).toEqual(facts(e));
    },
  );

  it('only one of the two moved: each is read from section 0 alone', () => {
    const e = parseElf(bytesOf('armv7-good'));
    const names = (b: Uint8Array) => parseElf(b).sections.map((s) => s.name);
    const strndx = bytesOf('armv7-good');
    const v = view(strndx);
    v.setUint32(v.getUint32(32, true) + 24, v.getUint16(50, true), true); // sh_link of section 0
    v.setUint16(50, 0xffff, true);
    expect(names(strndx)).toEqual(e.sections.map((s) => s.name));
    const shnum = bytesOf('armv7-good');
    const w = view(shnum);
    w.setUint32(w.getUint32(32, true) + 20, w.getUint16(48, true), true); // sh_size of section 0
    w.setUint16(48, 0, true);
    expect(names(shnum)).toEqual(e.sections.map((s) => s.name));
  });

  it('PN_XNUM without section headers: no segments', () => {
    const b = bytesOf('armv7-movw-static');
    const v = view(b);
    v.setUint32(32, 0, true); // e_shoff
    v.setUint16(44, 0xffff, true); // e_phnum
    const e = parseElf(b);
    expect([e.programHeaders, e.sections]).toEqual([[], []]);
  });
});

describe('header fields that do not fit', () => {
  it('a program header entry size below the minimum', () => {
    const b = bytesOf('armv7-good');
    view(b).setUint16(42, 16, true);
    expect(() => parseElf(b)).toThrow('program header table entry size 16 is smaller than 32');
  });

  it('e_shstrndx past the section table, and 0: no section names at all', () => {
    const b = bytesOf('armv7-good');
    const n = view(b).getUint16(48, true);
    view(b).setUint16(50, n + 5, true);
    expect(() => parseElf(b)).toThrow(`e_shstrndx ${n + 5} is not a section (only ${n} sections)`);
    view(b).setUint16(50, 0, true);
    expect(new Set(parseElf(b).sections.map((s) => s.name))).toEqual(new Set(['']));
  });

  it('big-endian data is read as such; an unknown encoding is named', () => {
    const h = new Uint8Array(52);
    h.set([0x7f, 0x45, 0x4c, 0x46, 1, 2, 1]);
    h.set([0, 2, 0, 40], 16); // e_type 2 (EXEC), e_machine 40 (ARM), big-endian
    const e = parseElf(h);
    expect([e.endian, e.type, e.machine]).toEqual(['big', 2, 40]);
    h[5] = 3;
    expect(() => parseElf(h)).toThrow('unknown ELF data encoding 3');
  });

  it('a PT_DYNAMIC past the end of the file, and an empty PT_INTERP', () => {
    const b = bytesOf('aarch64-good');
    const e = parseElf(b);
    const i = e.programHeaders.findIndex((p) => p.type === PT_DYNAMIC);
    view(b).setBigUint64(phdrAt(b, i) + 8, BigInt(b.length), true);
    expect(() => parseElf(b)).toThrow('truncated: PT_DYNAMIC segment extends past end of file');
    const c = bytesOf('aarch64-good');
    const j = e.programHeaders.findIndex((p) => p.type === PT_INTERP);
    view(c).setBigUint64(phdrAt(c, j) + 32, 0n, true);
    expect(() => parseElf(c)).toThrow('PT_INTERP segment is empty');
  });

  it('a loadable segment cut short, with no section table to catch it first', () => {
    const b = bytesOf('armv7-good');
    const v = view(b);
    v.setUint32(32, 0, true); // e_shoff: an sstrip-ed file
    v.setUint16(48, 0, true);
    const e = parseElf(b);
    const last = e.programHeaders.map((p) => p.type).lastIndexOf(1); // the last PT_LOAD
    const cut = b.subarray(0, e.programHeaders[last]!.offset + 1);
    expect(() => parseElf(cut)).toThrow(
      `truncated: PT_LOAD segment ${last} extends past end of file`,
    );
  });
});

describe('the dynamic table', () => {
  it('DT_STRTAB or DT_VERNEED outside every PT_LOAD, or no DT_STRTAB with DT_NEEDED', () => {
    const e = parseElf(bytesOf('aarch64-good'));
    const a = bytesOf('aarch64-good');
    patchDynamic(a, e, DT_STRTAB, { value: 0xfff00000 });
    expect(() => parseElf(a)).toThrow('DT_STRTAB address is not inside any PT_LOAD segment');
    const b = bytesOf('aarch64-good');
    patchDynamic(b, e, 0x6ffffffe, { value: 0xfff00000 });
    expect(() => parseElf(b)).toThrow('DT_VERNEED address is not inside any PT_LOAD segment');
    const c = bytesOf('aarch64-good');
    patchDynamic(c, e, DT_STRTAB, { tag: 0x60000001 });
    expect(() => parseElf(c)).toThrow('DT_NEEDED present but no DT_STRTAB');
  });

  it('no DT_STRTAB and nothing that needs one: no libraries, no version needs', () => {
    const b = bytesOf('aarch64-static-pie');
    patchDynamic(b, parseElf(b), DT_STRTAB, { tag: 0x60000001 });
    const e = parseElf(b);
    expect([e.dynamic?.needed, e.dynamic?.soname, e.versionNeeds]).toEqual([[], null, []]);
  });

  it('a symbol table linked to a missing string table is named', () => {
    const b = bytesOf('armv7-good');
    const e = parseElf(b);
    const i = e.sections.findIndex((s) => s.name === '.symtab');
    const shoff = view(b).getUint32(32, true);
    view(b).setUint32(shoff + i * 40 + 24, 999, true);
    expect(() => parseElf(b)).toThrow('symbol table .symtab links to missing section 999');
  });
});

describe('two libraries, two version needs, _start only in .dynsym', () => {
  let dir: string;
  let two: Uint8Array;
  let exported: Uint8Array;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elf-headers-edges-'));
    writeFileSync(
      join(dir, 'm.c'),
      '#include <math.h>\n#include <stdio.h>\nint main(int c, char **v) { printf("%f\\n", cos(c)); return v[0] == 0; }\n',
    );
    const gcc = (args: string[]) => execFileSync('aarch64-linux-gnu-gcc', args, { cwd: dir });
    gcc(['-O2', '-fno-builtin', '-Wl,--no-as-needed', 'm.c', '-lm', '-o', 'two']);
    gcc(['-O2', '-rdynamic', '-s', 'm.c', '-lm', '-o', 'exported']);
    two = new Uint8Array(readFileSync(join(dir, 'two')));
    exported = new Uint8Array(readFileSync(join(dir, 'exported')));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every DT_NEEDED and follows vn_next to the second file', () => {
    const e = parseElf(two);
    expect(e.dynamic?.needed).toEqual(['libm.so.6', 'libc.so.6']);
    expect(e.versionNeeds.map((n) => n.file).sort()).toEqual(['libc.so.6', 'libm.so.6']);
  });

  it('reads no more version-need files than DT_VERNEEDNUM says', () => {
    const b = new Uint8Array(two);
    patchDynamic(b, parseElf(b), DT_VERNEEDNUM, { value: 1 });
    expect(parseElf(b).versionNeeds).toHaveLength(1);
  });

  it('a stripped -rdynamic build: _start found in .dynsym', () => {
    expect(parseElf(exported).symbols).toEqual({
      hasSymtab: false,
      hasDynsym: true,
      hasStart: true,
    });
  });
});

describe('classification of ET_DYN files and ARM float flags', () => {
  it('a PIE whose interpreter was removed is a static-pie by DF_1_PIE, libraries or not', () => {
    const b = bytesOf('aarch64-good');
    setSegmentType(b, parseElf(b), PT_INTERP, PT_NULL);
    expect(parseElf(b)).toMatchObject({ linkage: 'static-pie', pie: true, isSharedLibrary: false });
    // Without its dynamic segment too: a real entry point and nothing to load.
    setSegmentType(b, parseElf(b), PT_DYNAMIC, PT_NULL);
    expect(parseElf(b)).toMatchObject({ linkage: 'static-pie', dynamic: null });
  });

  it('without an interpreter or DF_1_PIE but with libraries to load: a shared library', () => {
    const b = bytesOf('aarch64-good');
    const e = parseElf(b);
    setSegmentType(b, e, PT_INTERP, PT_NULL);
    patchDynamic(b, e, DT_FLAGS_1, { value: 0 });
    expect(parseElf(b)).toMatchObject({ linkage: 'dynamic', isSharedLibrary: true, pie: false });
  });

  it('a static-pie from an older linker (no DF_1_PIE) is still one', () => {
    const b = bytesOf('aarch64-static-pie');
    patchDynamic(b, parseElf(b), DT_FLAGS_1, { value: 0 });
    expect(parseElf(b)).toMatchObject({ linkage: 'static-pie', pie: true, isSharedLibrary: false });
  });

  it('static and shared: each flag set as it is', () => {
    expect(parseElf(bytesOf('armv7-movw-static'))).toMatchObject({
      linkage: 'static',
      pie: false,
      isSharedLibrary: false,
    });
    expect(parseElf(bytesOf('armhf-shared-lib'))).toMatchObject({
      linkage: 'dynamic',
      pie: false,
      isSharedLibrary: true,
    });
    expect(parseElf(bytesOf('aarch64-static-pie')).isSharedLibrary).toBe(false);
  });

  it('an ARM file with neither float-ABI flag says unspecified', () => {
    const b = bytesOf('armv7-good');
    const v = view(b);
    v.setUint32(36, v.getUint32(36, true) & ~0x600, true);
    expect(parseElf(b).arm?.floatAbi).toBe('unspecified');
  });
});

describe('section headers against readelf', () => {
  it.each(['aarch64-good', 'armv7-good'] as const)(
    '%s: address, offset, size, link, info, flags',
    (name) => {
      const out = execFileSync('readelf', ['-S', '-W', corpus[name]], {
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C' },
      });
      const rows = [
        ...out.matchAll(
          /^\s+\[\s*(\d+)\]\s+(\S*)\s+\S+\s+([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) [0-9a-f]+\s+([A-Za-z]*)\s+(\d+)\s+(\d+)/gm,
        ),
      ];
      const e = parseElf(bytesOf(name));
      expect(rows.length).toBe(e.sections.length);
      for (const m of rows) {
        const s = e.sections[Number(m[1])]!;
        expect([s.addr, s.offset, s.size, s.link, s.info, (s.flags & 2) !== 0]).toEqual([
          parseInt(m[3]!, 16),
          parseInt(m[4]!, 16),
          parseInt(m[5]!, 16),
          Number(m[7]),
          Number(m[8]),
          m[6]!.includes('A'),
        ]);
      }
    },
  );
});
