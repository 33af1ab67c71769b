/** zigCommand and the -march rule at the edges the mutation run found untested. */
import { describe, expect, it } from '@jest/globals';
import { zigCommand, type ArgFiles, type WrapperConfig } from '../../src/zig/command.js';
import { rewriteArgs } from '../../src/zig/rules.js';

const CONFIG: WrapperConfig = {
  zig: '/z/zig',
  tool: 'cc',
  target: 'aarch64-linux-gnu.2.31',
  cpu: null,
  rules: { arch: 'aarch64', libc: 'gnu', zigVersion: '0.11.0' },
};

/** Every path names a file holding `-lgcc_s`: only an @word may be read as one. */
const everyPathIsAFile: ArgFiles = {
  readFile: () => '-lgcc_s\n',
  copyOf: () => '/copy/1',
};

describe('zigCommand edges', () => {
  it('ar and ranlib get their arguments untouched, without target or flags', () => {
    for (const tool of ['ar', 'ranlib'] as const) {
      expect(
        zigCommand({ ...CONFIG, tool }, ['crs', 'libx.a', '-lgcc_s'], everyPathIsAFile),
      ).toEqual([tool, 'crs', 'libx.a', '-lgcc_s']);
    }
  });

  it('with the generic CPU the fixed part is exactly the target and the two flags', () => {
    expect(zigCommand(CONFIG, ['xa.o'], everyPathIsAFile)).toEqual([
      'cc',
      '-target',
      'aarch64-linux-gnu.2.31',
      '-g',
      '-fno-sanitize=all',
      'xa.o', // not read as the file 'a.o': only a leading '@' makes a response file
    ]);
  });
});

describe('-march on aarch64', () => {
  it('without extensions becomes the plain generic CPU', () => {
    expect(rewriteArgs(['-march=armv8-a'], CONFIG.rules)).toEqual(['-mcpu=generic']);
  });
});
