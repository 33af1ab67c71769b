import { InputError } from '../errors.js';
import { shown } from '../show.js';
import {
  BOARDS,
  QEMU_ARM32_CPU_FOR_V8_BOARD,
  TARGETS,
  type Board,
  type TargetSpec,
} from './table.js';

/** One Rust target to build, with the Pi boards it was asked for (or can run on). */
export interface ResolvedTarget {
  readonly spec: TargetSpec;
  /** Board names, for the summary and archive names. */
  readonly boards: readonly string[];
  /** qemu CPU model for smoke runs: the oldest CPU among those boards, so all of them pass. */
  readonly qemuCpu: string;
}

const CPU_AGE = ['arm1176', 'cortex-a7', 'cortex-a53', 'cortex-a72', 'cortex-a76'];
const MODIFIERS = ['32', 'musl'] as const;

/**
 * Turns the `target` input (Pi board names or Rust triples, separated by commas, spaces or
 * newlines) into distinct targets. `<board>:32` asks for the 32-bit Pi OS build of a 64-bit
 * board, `<board>:musl` for the static musl build; both combine (`pi4:32:musl`).
 */
export function resolveTargets(input: string): ResolvedTarget[] {
  const words = input.split(/[\s,]+/).filter((w) => w.length > 0);
  if (words.length === 0) {
    throw new InputError(
      'target',
      `is empty; name a Pi board or a Rust triple, e.g. 'pi4' or 'pi-zero, pi4'. ${validNames()}`,
    );
  }
  const byTriple = new Map<string, { spec: TargetSpec; boards: string[]; cpus: string[] }>();
  for (const word of words) {
    const one = resolveWord(word.toLowerCase());
    const entry = byTriple.get(one.spec.triple) ?? { spec: one.spec, boards: [], cpus: [] };
    for (const b of one.boards) if (!entry.boards.includes(b)) entry.boards.push(b);
    entry.cpus.push(one.cpu);
    byTriple.set(one.spec.triple, entry);
  }
  return [...byTriple.values()].map((e) => ({
    spec: e.spec,
    boards: e.boards,
    qemuCpu: oldestCpu(e.cpus),
  }));
}

function resolveWord(word: string): { spec: TargetSpec; boards: string[]; cpu: string } {
  const spec = TARGETS.find((t) => t.triple === word);
  if (spec) {
    return { spec, boards: boardsRunning(spec).map((b) => b.name), cpu: spec.qemu.cpu };
  }
  const [name = '', ...mods] = word.split(':');
  const board = BOARDS.find((b) => b.name === name);
  if (!board) throw unknownName(word, name);
  for (const m of mods) {
    if (!(MODIFIERS as readonly string[]).includes(m)) {
      throw new InputError(
        'target',
        `${shown(word)}: unknown modifier ${shown(`:${m}`)}; use ':32' (32-bit Pi OS) or ':musl' (static musl), e.g. 'pi4:32:musl'`,
      );
    }
  }
  let triple = board.triple;
  let cpu = board.qemuCpu;
  if (mods.includes('32')) {
    if (!board.triple32) {
      throw new InputError(
        'target',
        `${shown(word)}: ${board.label} only runs a 32-bit Pi OS; write '${board.name}' without ':32'`,
      );
    }
    triple = board.triple32;
    cpu = QEMU_ARM32_CPU_FOR_V8_BOARD;
  }
  let target = TARGETS.find((t) => t.triple === triple) as TargetSpec;
  if (mods.includes('musl')) target = TARGETS.find((t) => t.triple === target.twin) as TargetSpec;
  return { spec: target, boards: [board.name], cpu };
}

/** Boards whose Pi OS can run this target's binaries (ARMv6 code runs on every 32-bit Pi OS). */
export function boardsRunning(spec: TargetSpec): Board[] {
  return BOARDS.filter((b) => {
    if (spec.arch === 'aarch64') return b.triple.startsWith('aarch64');
    if (spec.cpu === 'v7') return b.triple !== 'arm-unknown-linux-gnueabihf';
    return true;
  });
}

function oldestCpu(cpus: string[]): string {
  return [...cpus].sort((a, b) => CPU_AGE.indexOf(a) - CPU_AGE.indexOf(b))[0] as string;
}

function unknownName(word: string, name: string): InputError {
  if (
    /^(x86_64|i[3-6]86|riscv|powerpc|mips|s390x|wasm|loongarch|sparc|thumb)/.test(word) ||
    /-(windows|darwin|apple|android|freebsd)/.test(word)
  ) {
    return new InputError('target', `${shown(word)} is not a Raspberry Pi target. ${validNames()}`);
  }
  const candidates = [...BOARDS.map((b) => b.name), ...TARGETS.map((t) => t.triple)];
  // Compare what the user sees: without invisible characters, fullwidth letters folded.
  const near = closest(name.replace(INVISIBLE, '').normalize('NFKC'), candidates);
  const hint = near ? ` Did you mean '${near}'?` : '';
  const hidden = [...new Set(word.match(INVISIBLE) ?? [])].map(codePoint);
  if (hidden.length > 0) {
    const visible = word.replace(INVISIBLE, (c) => `<${codePoint(c)}>`);
    return new InputError(
      'target',
      `unknown target ${shown(visible)}: it contains an invisible character (${hidden.join(', ')}), perhaps pasted along with it; retype it.${hint} ${validNames()}`,
    );
  }
  return new InputError('target', `unknown target ${shown(word)}.${hint} ${validNames()}`);
}

/** Control, format and separator characters: invisible or blank in a log line. */
const INVISIBLE = /[\p{C}\p{Z}]/gu;

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

function validNames(): string {
  return `Valid boards: ${BOARDS.map((b) => b.name).join(', ')} (add ':32' for the 32-bit Pi OS, ':musl' for static musl); valid triples: ${TARGETS.map((t) => t.triple).join(', ')}.`;
}

/** The candidate within edit distance 3 (or sharing a long prefix), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
