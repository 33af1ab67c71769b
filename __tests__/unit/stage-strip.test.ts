import { describe, expect, it } from '@jest/globals';
import type { LinkPlan } from '../../src/cargo/env.js';
import { cargoStripEnv, stripCommand } from '../../src/stage.js';

const gcc: LinkPlan = {
  kind: 'gcc',
  layout: { root: '/tc', binPrefix: '/tc/bin/arm-linux-gnueabihf-', sysroot: '/tc/sysroot' },
  tools: { cxx: true, ranlib: true, strip: true },
};
const zig = { kind: 'zig', zig: '/z/zig' } as unknown as LinkPlan;
const lld: LinkPlan = { kind: 'rust-lld' };

describe('the staged copy is stripped with the plan’s own tools', () => {
  it('gcc: the toolchain strip, in place', () => {
    expect(stripCommand(gcc, '/s/app')).toEqual({
      program: '/tc/bin/arm-linux-gnueabihf-strip',
      args: ['/s/app'],
      output: '/s/app',
    });
  });

  it('zig: zig objcopy --strip-all to a file beside it (it cannot write its input)', () => {
    expect(stripCommand(zig, '/s/app')).toEqual({
      program: '/z/zig',
      args: ['objcopy', '--strip-all', '/s/app', '/s/app.stripped'],
      output: '/s/app.stripped',
    });
  });

  it('rust-lld: none, so cargo strips through the profile', () => {
    expect(stripCommand(lld, '/s/app')).toBeNull();
    expect(cargoStripEnv('release', new Map([['t', lld]]), true)).toEqual({
      CARGO_PROFILE_RELEASE_STRIP: 'symbols',
    });
  });

  it('zig and gcc plans never strip through the cargo profile (it takes the symbols the ARMv6 scan reads)', () => {
    expect(
      cargoStripEnv(
        'release',
        new Map([
          ['a', gcc],
          ['b', zig],
        ]),
        true,
      ),
    ).toEqual({});
  });
});
