import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { INPUTS, renderActionInputs } from '../../src/input-table.js';
import { parseInputs, type InputName } from '../../src/inputs.js';

// action.yml's inputs block is the table's rendering, byte for byte. After a change to the
// table, RPI_WRITE_ACTION_YML=1 on this test rewrites the block instead of failing.
const ACTION_YML = path.join(import.meta.dirname ?? '', '..', '..', 'action.yml');

function inputsBlock(yml: string): [number, number] {
  const start = yml.indexOf('\ninputs:\n') + 1;
  const end = yml.indexOf('\noutputs:', start) + 1;
  return [start, end];
}

describe('the input table', () => {
  test("action.yml's inputs block is rendered from it", () => {
    let yml = fs.readFileSync(ACTION_YML, 'utf8');
    let [start, end] = inputsBlock(yml);
    const want = `${renderActionInputs()}\n`;
    if (process.env.RPI_WRITE_ACTION_YML === '1') {
      yml = yml.slice(0, start) + want + yml.slice(end);
      fs.writeFileSync(ACTION_YML, yml);
      [start, end] = inputsBlock(yml);
    }
    expect(yml.slice(start, end)).toBe(want);
  });

  test('its defaults are the ones parseInputs falls back to for an empty input', () => {
    const ws = fs.mkdtempSync(
      path.join(import.meta.dirname ?? '', '..', '..', 'node_modules', '.rpi-table-'),
    );
    try {
      const base = { target: 'pi4' } as Partial<Record<InputName, string>>;
      const empty = parseInputs((n) => base[n] ?? '', ws);
      const table = Object.fromEntries(INPUTS.map((i) => [i.name, i.default])) as Record<
        InputName,
        string
      >;
      const fromTable = parseInputs((n) => base[n] ?? table[n], ws);
      expect(fromTable).toEqual(empty);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test('a required input has no default, booleans default to true or false', () => {
    for (const i of INPUTS) {
      if ('required' in i) expect(i.default).toBe('');
      if ('boolean' in i) expect(['true', 'false']).toContain(i.default);
    }
  });

  test('the rendering is YAML that keeps each description whole', () => {
    const text = renderActionInputs([
      { name: 'x', group: 'cargo', default: "it's", description: 'a: b # c {d}' },
    ]);
    expect(text).toBe(
      "inputs:\n  x:\n    description: >-\n      a: b # c {d}\n    required: false\n    default: 'it''s'\n",
    );
  });
});
