/** `rust-rpi-cross verify FILE`: the action's ELF checks on a binary built anywhere. */
import * as fs from 'node:fs';
import { verifyBytes, type BinaryFacts, type Finding, type FindingCode } from '../elf/index.js';
import type { ActionInputs } from '../inputs.js';
import { showValue } from '../log-text.js';
import { UsageError } from './flags.js';
import { bold, green, red, yellow } from './log.js';

/** The first words of each finding on a terminal: what is wrong, and the fix where it is short. */
export const HEADLINES: Record<FindingCode | 'smoke-failed', string> = {
  'malformed-elf': 'not a valid ELF file',
  'not-executable': 'not an executable',
  'wrong-machine': 'code for another machine',
  'wrong-cpu-profile': 'microcontroller (M-profile) code, not for a Pi',
  'soft-float': 'soft-float ABI: Pi OS is hard-float (armhf)',
  'cpu-too-new': "CPU level too new for the board's CPU",
  'wrong-interpreter': 'wrong dynamic loader for Pi OS',
  'musl-not-static': 'musl binary that is not static',
  'glibc-too-new': 'needs a newer glibc than the Pi OS floor',
  'no-start-files': 'no start files: set the linker to the gcc driver, not ld',
  'entry-outside-code': 'entry point outside the code',
  'armv7-instructions': 'ARMv7 instructions in an ARMv6 binary',
  'instruction-scan-skipped': 'ARMv6 instruction scan skipped',
  'smoke-failed': 'smoke run failed',
};

export interface FileVerdict {
  file: string;
  target: string;
  boards: readonly string[];
  piOs: string | null;
  glibcFloor: string | null;
  findings: Finding[];
  facts: BinaryFacts | null;
  ok: boolean;
}

/** Judges one file against the one target of `inputs` (a missing file is a usage error). */
export function verifyFile(file: string, inputs: ActionInputs): FileVerdict {
  const [target, ...more] = inputs.targets;
  if (!target || more.length > 0)
    throw new UsageError(
      `--target: verify checks a file against one target; name one board or triple, e.g. --target pi-zero`,
    );
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `FILE '${showValue(file)}' ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'error'})`}: give the path of the binary to check`,
    );
  }
  const gnu = target.spec.libc === 'gnu';
  const { findings, facts } = verifyBytes(bytes, {
    spec: target.spec,
    glibcFloor: gnu ? inputs.glibcFloor : null,
    piOs: gnu ? inputs.piOs : null,
    unstripped: null,
  });
  return {
    file,
    target: target.spec.triple,
    boards: target.boards,
    piOs: gnu ? inputs.piOs : null,
    glibcFloor: gnu ? inputs.glibcFloor : null,
    findings,
    facts,
    ok: !findings.some((f) => f.severity === 'error'),
  };
}

/** The verdict as terminal text: one headline per finding with its explanation under it. */
export function renderVerdict(v: FileVerdict, color: boolean): string {
  const out: string[] = [];
  for (const f of v.findings) {
    const tag = f.severity === 'error' ? red(color, 'error') : yellow(color, 'warning');
    out.push(`${tag}: ${bold(color, HEADLINES[f.code])}`, `  ${showValue(f.message)}`);
  }
  const facts = v.facts
    ? ` (${v.facts.arch}, ${v.facts.floatAbi === 'n/a' ? '' : `${v.facts.floatAbi}-float, `}${v.facts.linkage}, glibc needed ${v.facts.glibcNeeded ?? 'none'}${v.glibcFloor ? `, floor ${v.glibcFloor} (${v.piOs})` : ''})`
    : '';
  const verdict = v.ok ? green(color, 'passed') : red(color, 'FAILED');
  out.push(`${showValue(v.file)}: ${verdict} for ${v.target} (${v.boards.join(', ')})${facts}`);
  return `${out.join('\n')}\n`;
}
