import { describe, expect, it } from '@jest/globals';
import { PLACEHOLDERS, renderName } from '../../src/package/archive.js';

const vars = {
  package: 'pi-tool',
  version: '1.2.3',
  target: 'aarch64-unknown-linux-gnu',
  board: 'pi4',
  bin: 'pi-tool',
  ref: 'v1.2.3',
};

describe('renderName', () => {
  it('fills every placeholder', () => {
    expect(renderName('{package}-{version}-{target}-{board}-{bin}-{ref}', vars)).toBe(
      'pi-tool-1.2.3-aarch64-unknown-linux-gnu-pi4-pi-tool-v1.2.3',
    );
  });

  it('repeats a placeholder and keeps literal text', () => {
    expect(renderName('{bin}_for_{board}_{bin}', vars)).toBe('pi-tool_for_pi4_pi-tool');
  });

  it('rejects an unknown placeholder, naming it and the allowed ones', () => {
    const render = (): string => renderName('{package}-{arch}', vars);
    expect(render).toThrow(/Unknown placeholder \{arch\}/);
    expect(render).toThrow(new RegExp(PLACEHOLDERS.map((p) => `\\{${p}\\}`).join(' ')));
  });

  it('treats a typo in case as unknown rather than guessing', () => {
    expect(() => renderName('{Target}', vars)).toThrow(/\{Target\}/);
  });

  it('fails when a known placeholder has no value', () => {
    expect(() => renderName('{package}-{ref}', { package: 'x' })).toThrow(
      /Placeholder \{ref\} .* has no value/,
    );
  });

  it('replaces characters that cannot be in a file or artifact name', () => {
    const name = renderName('{package}-{ref}', { package: 'a:b', ref: 'refs/heads/feat\\x' });
    expect(name).toBe('a-b-refs-heads-feat-x');
    expect(renderName('{ref}', { ref: 'a*b?c"d<e>f|g\nh\ti' })).toBe('a-b-c-d-e-f-g-h-i');
    // DEL (0x7f) is a control character too; the printable characters around it stay.
    expect(renderName('{ref}', { ref: 'a\u007fb ~' })).toBe('a-b ~');
  });

  it('keeps dots, spaces and unicode, trims the ends', () => {
    expect(renderName(' {package} v{version} ', { package: 'tøøl', version: '1.0' })).toBe(
      'tøøl v1.0',
    );
  });

  it('rejects a name that renders to nothing usable', () => {
    expect(() => renderName('{ref}', { ref: '' })).toThrow(/not a usable name/);
    expect(() => renderName('..', vars)).toThrow(/not a usable name/);
  });

  it('leaves unmatched braces alone', () => {
    expect(renderName('{package}-{', vars)).toBe('pi-tool-{');
  });
});
