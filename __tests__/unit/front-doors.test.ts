import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';

// Only the action's front door (main.ts) and its log adapter talk to the runner: the stages
// and the CLI reach it through the FrontDoor and Log ports, so the CLI bundle never writes a
// workflow command or reads an INPUT_ variable.
const SRC = path.join(import.meta.dirname ?? '', '..', '..', 'src');

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

/** Runtime imports of @actions/core (a type-only import loads nothing). */
function importsCore(text: string): boolean {
  return (
    /^\s*import\s+(?!type\s)[^;]*?from\s+['"]@actions\/core['"]/m.test(text) ||
    /require\(\s*['"]@actions\/core['"]\s*\)|import\(\s*['"]@actions\/core['"]\s*\)/.test(text)
  );
}

describe('front doors', () => {
  test('@actions/core is imported by main.ts and log.ts only', () => {
    const importers = sources(SRC).filter((f) =>
      importsCore(fs.readFileSync(path.join(SRC, f), 'utf8')),
    );
    expect(importers).toEqual(['log.ts', 'main.ts']);
  });

  test('nothing under src/cli imports the action front door or its log adapter', () => {
    for (const f of sources(path.join(SRC, 'cli'))) {
      const text = fs.readFileSync(path.join(SRC, 'cli', f), 'utf8');
      expect([
        f,
        /from '\.\.\/(main|log)\.js'/.test(text.replace(/import type [^;]*;/g, '')),
      ]).toEqual([f, false]);
    }
  });

  test('the scan sees the forms an import takes', () => {
    expect(importsCore("import * as core from '@actions/core';")).toBe(true);
    expect(importsCore("import {\n  info,\n} from '@actions/core';")).toBe(true);
    expect(importsCore("const core = await import('@actions/core');")).toBe(true);
    expect(importsCore("import type { InputOptions } from '@actions/core';")).toBe(false);
    expect(importsCore('// @actions/core writes these files')).toBe(false);
  });
});
