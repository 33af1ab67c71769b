import { InputError } from '../errors.js';
import type { InputName } from '../inputs.js';
import { showValue } from '../log-text.js';

/**
 * Cargo options the action sets itself, or that have their own input. Given in `args` as well
 * they either clash with ours (cargo refuses a second `--release`), change what the action reads
 * (`--message-format`), build what is never verified (another `--target`), or slip past the checks
 * of the input they belong to (`--manifest-path`).
 */
const OWNED: readonly { long: string; short?: string; input: InputName | null; why: string }[] = [
  {
    long: '--target',
    input: 'target',
    why: 'the action passes one --target per board and verifies only those',
  },
  {
    long: '--message-format',
    input: null,
    why: "the action reads cargo's JSON messages to find the binaries",
  },
  { long: '--release', short: 'r', input: 'profile', why: 'the action passes --profile' },
  { long: '--profile', input: 'profile', why: 'the action passes --profile' },
  {
    long: '--manifest-path',
    input: 'manifest-path',
    why: 'the action checks the path of that input',
  },
  { long: '--package', short: 'p', input: 'package', why: 'it has its own input' },
  { long: '--bin', input: 'bin', why: 'it has its own input' },
  { long: '--features', short: 'F', input: 'features', why: 'it has its own input' },
  { long: '--all-features', input: 'all-features', why: 'it has its own input' },
  { long: '--no-default-features', input: 'no-default-features', why: 'it has its own input' },
  { long: '--locked', input: 'locked', why: 'it has its own input' },
];

/** Short options of cargo build/test that take a value: the rest of the word is that value. */
const SHORT_WITH_VALUE = new Set(['j', 'Z', 'p', 'F']);

export interface ArgsConflict {
  /** The word of `args` as the user wrote it. */
  word: string;
  option: string;
  input: InputName | null;
  why: string;
}

/**
 * The first word of `args` naming an option the action owns (`--target x`, `--target=x`, `-r`,
 * `-vr`, `-pfoo`), or null. Words after `--` belong to the test binary and are not looked at.
 */
export function argsConflict(args: readonly string[]): ArgsConflict | null {
  for (const word of args) {
    if (word === '--') return null;
    if (word.startsWith('--')) {
      const long = word.split('=', 1)[0] as string;
      const owned = OWNED.find((o) => o.long === long);
      if (owned) return { word, option: owned.long, input: owned.input, why: owned.why };
    } else if (word.startsWith('-') && word.length > 1) {
      for (const c of word.slice(1)) {
        const owned = OWNED.find((o) => o.short === c);
        if (owned) return { word, option: owned.long, input: owned.input, why: owned.why };
        if (SHORT_WITH_VALUE.has(c)) break;
      }
    }
  }
  return null;
}

/** Refuses, before anything is built, `args` that name an option the action owns. */
export function checkArgs(args: readonly string[]): void {
  const c = argsConflict(args);
  if (!c) return;
  const option = c.word === c.option ? c.option : `${c.option} (as '${showValue(c.word)}')`;
  const instead = c.input
    ? `use the '${c.input}' input instead`
    : 'remove it (the action needs the format it sets)';
  throw new InputError('args', `must not contain ${option}: ${c.why}; ${instead}`);
}
