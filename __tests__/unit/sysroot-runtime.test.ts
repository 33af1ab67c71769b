import * as fs from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parseElf } from '../../src/elf/index.js';
import { runtimePackages } from '../../src/sysroot/archives.js';
import { runtimeVerdict, type RuntimeFile } from '../../src/sysroot/plan.js';

// Real loaders: Debian's armhf one is ARMv7 (Thumb-2, VFPv3), its armel one ARMv5TE, i.e.
// within what an ARM1176 runs, as Raspbian's ARMv6 libc is.
const ARMHF_LOADER = '/usr/arm-linux-gnueabihf/lib/ld-linux-armhf.so.3';
const ARMEL_LOADER = '/usr/arm-linux-gnueabi/lib/ld-linux.so.3';

const attrs = (file: string) => parseElf(fs.readFileSync(file)).armAttributes;
const opts = {
  level: 'v6' as const,
  boardCpu: 'arm1176',
  fallbackCpu: 'cortex-a7',
  what: 'libc6=2.36-9 from the Raspbian archive bookworm',
  root: '/r',
  mirrored: false,
};

describe('which CPU runs a Pi OS runtime', () => {
  test('ARMv6 only has runtime packages, from the data', () => {
    expect(runtimePackages('arm-unknown-linux-gnueabihf')).toEqual(['libc6', 'libstdc++6']);
    expect(runtimePackages('armv7-unknown-linux-gnueabihf')).toEqual([]);
    expect(runtimePackages('aarch64-unknown-linux-gnu')).toEqual([]);
  });

  test('a loader and libc within ARMv6 run under the board’s CPU', () => {
    const files: RuntimeFile[] = [
      { name: 'lib/ld-linux-armhf.so.3', attributes: attrs(ARMEL_LOADER) },
      { name: 'lib/arm-linux-gnueabihf/libc.so.6', attributes: attrs(ARMEL_LOADER) },
    ];
    expect(runtimeVerdict(files, opts)).toEqual({
      cpu: null,
      note: "smoke runs use qemu -cpu arm1176 -L /r: the Pi OS's own libc6=2.36-9 from the Raspbian archive bookworm",
    });
  });

  test('Debian’s ARMv7 loader is named with what makes it so, and the oldest CPU that runs it', () => {
    const v = runtimeVerdict(
      [
        { name: 'lib/ld-linux-armhf.so.3', attributes: attrs(ARMHF_LOADER) },
        { name: 'lib/arm-linux-gnueabihf/libc.so.6', attributes: attrs(ARMEL_LOADER) },
      ],
      { ...opts, mirrored: true },
    );
    expect(v.cpu).toBe('cortex-a7');
    expect(v.note).toMatch(
      /^smoke runs use qemu -cpu cortex-a7, not arm1176: the runtime libc6=2\.36-9 from the Raspbian archive bookworm is not ARMv6 code \(ld-linux-armhf\.so\.3 has ARMv7 code \(Tag_CPU_arch v7\), VFPv3.* floating-point instructions \(Tag_FP_arch\)\)/,
    );
    expect(v.note).toContain(
      "the 'sysroot-mirror' must serve the Raspbian archive under raspbian/",
    );
    expect(v.note).not.toContain('libc.so.6 has');
  });

  test('missing files or attributes are not taken as ARMv6', () => {
    const v = runtimeVerdict(
      [
        { name: 'lib/ld-linux-armhf.so.3', attributes: 'missing' },
        { name: 'lib/arm-linux-gnueabihf/libc.so.6', attributes: null },
      ],
      opts,
    );
    expect(v.cpu).toBe('cortex-a7');
    expect(v.note).toContain('(no lib/ld-linux-armhf.so.3; libc.so.6 has no ARM build attributes)');
    expect(v.note).not.toContain('sysroot-mirror');
  });
});
