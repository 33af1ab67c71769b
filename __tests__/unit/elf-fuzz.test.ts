/**
 * Hostile input: whatever the bytes, parseElf either returns or throws ElfError, quickly, and
 * verifyElf accepts whatever parseElf returned. Deterministic (seeded) so failures reproduce.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ElfError, parseElf, type ParsedElf } from '../../src/elf/parse.js';
import { verifyElf } from '../../src/elf/verify.js';
import { targetSpec } from '../../src/targets/table.js';
import { elfCorpus, type Corpus, type CorpusName } from '../helpers/elf-corpus.js';

let corpus: Corpus;
beforeAll(() => {
  corpus = elfCorpus();
}, 120_000);

/** mulberry32: tiny seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECS = [
  'aarch64-unknown-linux-gnu',
  'arm-unknown-linux-gnueabihf',
  'armv7-unknown-linux-musleabihf',
].map(targetSpec);

/** Above this an attempt is re-timed: a GC pause or a busy CI core is not a parser bug. */
const SLOW_MS = 25;

/** Runs parse (+ verify) on every input and records anything that is not a clean outcome. */
class Harness {
  runs = 0;
  parsed = 0;
  slowest = { ms: 0, label: '' };
  readonly failures: string[] = [];

  attempt(bytes: Uint8Array, label: string): void {
    this.runs++;
    let ms = this.timed(bytes, label);
    // Pathological input is slow every time; noise is not. Keep the fastest of three.
    for (let retry = 0; retry < 2 && ms > SLOW_MS; retry++)
      ms = Math.min(ms, this.timed(bytes, label));
    if (ms > this.slowest.ms) this.slowest = { ms, label };
  }

  private timed(bytes: Uint8Array, label: string): number {
    const t = performance.now();
    let elf: ParsedElf | null = null;
    try {
      elf = parseElf(bytes);
      this.parsed++;
    } catch (e) {
      if (!(e instanceof ElfError)) this.fail(label, e);
    }
    if (elf) this.verify(elf, label);
    return performance.now() - t;
  }

  /** One target per attempt, rotating: every code path gets exercised without tripling time. */
  private verify(elf: ParsedElf, label: string): void {
    const spec = SPECS[this.runs % SPECS.length] ?? SPECS[0]!;
    try {
      verifyElf(elf, { spec, glibcFloor: '2.31', piOs: 'bullseye' });
    } catch (e) {
      this.fail(`${label} (verify as ${spec.triple})`, e);
    }
  }

  private fail(label: string, e: unknown): void {
    if (this.failures.length < 10) {
      this.failures.push(`${label}: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }

  assertClean(maxMs: number): void {
    expect(this.failures).toEqual([]);
    const { ms, label } = this.slowest;
    expect(ms < maxMs ? 'fast enough' : `${label} took ${ms.toFixed(1)} ms`).toBe('fast enough');
  }
}

const load = (name: CorpusName) => new Uint8Array(readFileSync(corpus[name]));
const REAL: CorpusName[] = [
  'armv7-good',
  'aarch64-good',
  'armv7-movw-static',
  'armhf-bare-ld',
  'aarch64-static-pie',
];
/** One 32-bit and one 64-bit PIE plus a tiny static: the statics' 30+ headers add only time. */
const FLIPPED: CorpusName[] = ['armv7-good', 'aarch64-good', 'armhf-bare-ld'];

describe('parseElf under fuzzing', () => {
  it('random bytes, with and without a valid ELF identification', () => {
    const h = new Harness();
    const rand = rng(1);
    for (let i = 0; i < 3000; i++) {
      const words = new Uint32Array(Math.ceil(rand() * 512));
      for (let j = 0; j < words.length; j++) words[j] = rand() * 0x100000000;
      const b = new Uint8Array(words.buffer, 0, Math.floor(rand() * words.byteLength));
      if (i % 2 === 0 && b.length >= 6)
        b.set([0x7f, 0x45, 0x4c, 0x46, 1 + (i % 4 === 0 ? 1 : 0), 1]);
      h.attempt(b, `random #${i}`);
    }
    h.assertClean(50);
    expect(h.runs).toBe(3000);
  });

  it.each(REAL)(
    'every truncation of %s (all of the first 2 KiB, then every 61st length)',
    (name) => {
      const full = load(name);
      const h = new Harness();
      for (let len = 0; len < full.length; len += len < 2048 ? 1 : 61) {
        h.attempt(full.subarray(0, len), `${name}[0:${len}]`);
      }
      h.attempt(full, `${name} whole`);
      h.assertClean(50);
      // Only the whole file (and no strict prefix cut inside the section table) may parse.
      expect(h.parsed).toBeGreaterThanOrEqual(1);
    },
  );

  it.each(FLIPPED)(
    'every single-bit flip in the ELF, program and section headers of %s',
    (name) => {
      const bytes = load(name);
      const base = parseElf(bytes);
      const h = new Harness();
      const ehdr = base.bits === 64 ? 64 : 52;
      const phEnd = ehdr + base.programHeaders.length * (base.bits === 64 ? 56 : 32);
      const shdrSize = base.bits === 64 ? 64 : 40;
      const shoff = bytes.length - base.sections.length * shdrSize; // ld puts the table last
      flipRange(h, bytes, 0, phEnd, name);
      flipRange(h, bytes, shoff, bytes.length, name);
      h.assertClean(50);
    },
  );

  it.each(REAL)(
    'every single-bit flip in the dynamic, version and attribute data of %s',
    (name) => {
      const bytes = load(name);
      const base = parseElf(bytes);
      const h = new Harness();
      const wanted = ['.interp', '.dynamic', '.dynstr', '.gnu.version_r', '.ARM.attributes'];
      for (const s of base.sections.filter((x) => wanted.includes(x.name))) {
        flipRange(h, bytes, s.offset, s.offset + Math.min(s.size, 1024), `${name} ${s.name}`);
      }
      h.assertClean(50);
    },
  );

  it('extreme values in every header word', () => {
    const h = new Harness();
    const EXTREMES = [0, 1, 0x7f, 0xff, 0x7fffffff, 0x80000000, 0xffffffff];
    for (const name of ['armv7-good', 'aarch64-good'] as const) {
      const bytes = load(name);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const end = parseElf(bytes).bits === 64 ? 64 + 9 * 56 : 52 + 9 * 32;
      for (let off = 16; off + 4 <= end; off += 2) {
        const saved = view.getUint32(off, true);
        for (const v of EXTREMES) {
          view.setUint32(off, v, true);
          h.attempt(bytes, `${name} u32@${off}=${v.toString(16)}`);
        }
        view.setUint32(off, saved, true);
      }
    }
    h.assertClean(50);
  });
});

/** Flips each bit of bytes[from, to) in place, parses, and flips it back. */
function flipRange(h: Harness, bytes: Uint8Array, from: number, to: number, label: string): void {
  for (let i = Math.max(0, from); i < Math.min(to, bytes.length); i++) {
    for (let bit = 0; bit < 8; bit++) {
      bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
      h.attempt(bytes, `${label} byte ${i} bit ${bit}`);
      bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
    }
  }
}
