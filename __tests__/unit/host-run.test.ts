import { describe, expect, it } from '@jest/globals';
import { targetSpec, TARGETS, type TargetSpec } from '../../src/targets/table.js';
import { loadManifest, zigToolchains } from '../../src/toolchain/manifest.js';
import { HOST_RUNS, hostRun, noRunNotice, qemuMissingAdvice } from '../../src/zig/host-run.js';

const LINUX_X64 = { os: 'linux', arch: 'x64', glibc: '2.39' };
const LINUX_ARM64 = { os: 'linux', arch: 'arm64', glibc: '2.39' };
const MAC_ARM64 = { os: 'darwin', arch: 'arm64', glibc: null };
const MAC_X64 = { os: 'darwin', arch: 'x64', glibc: null };

const A64 = targetSpec('aarch64-unknown-linux-gnu');
const A64_MUSL = targetSpec('aarch64-unknown-linux-musl');
const V7 = targetSpec('armv7-unknown-linux-gnueabihf');
const V6 = targetSpec('arm-unknown-linux-gnueabihf');
const V6_MUSL = targetSpec('arm-unknown-linux-musleabihf');

/** The five target kinds: glibc and musl aarch64, ARMv7 glibc, ARMv6 glibc and musl. */
const KINDS = [A64, A64_MUSL, V7, V6, V6_MUSL];
const CPU = 'cortex-a72';

/** hostRun's answer reduced to runner kind and the CPU qemu is given (null: none/native). */
const decide = (host: typeof LINUX_X64 | typeof MAC_ARM64, t: TargetSpec, qemu: boolean) => {
  const r = hostRun(host, t, CPU, '2.31', qemu);
  return r.how === 'qemu' ? 'qemu' : r.how;
};

describe('smoke runs per host', () => {
  // Every host row × target kind × qemu found or not: qemu whenever it is there, native only
  // for aarch64 on arm64 Linux without it, nothing on macOS.
  const WANT: Record<string, Record<'qemu' | 'noQemu', string[]>> = {
    'linux/x64': {
      qemu: ['qemu', 'qemu', 'qemu', 'qemu', 'qemu'],
      noQemu: ['qemu', 'qemu', 'qemu', 'qemu', 'qemu'],
    },
    'linux/arm64': {
      qemu: ['qemu', 'qemu', 'qemu', 'qemu', 'qemu'],
      noQemu: ['native', 'native', 'qemu', 'qemu', 'qemu'],
    },
    'darwin/arm64': {
      qemu: ['none', 'none', 'none', 'none', 'none'],
      noQemu: ['none', 'none', 'none', 'none', 'none'],
    },
    'darwin/x64': {
      qemu: ['none', 'none', 'none', 'none', 'none'],
      noQemu: ['none', 'none', 'none', 'none', 'none'],
    },
  };
  test.each(
    Object.entries(WANT).flatMap(([h, w]) => [
      [h, true, w.qemu] as const,
      [h, false, w.noQemu] as const,
    ]),
  )('%s, qemu found: %s', (h, qemu, want) => {
    const host = [LINUX_X64, LINUX_ARM64, MAC_ARM64, MAC_X64].find(
      (x) => `${x.os}/${x.arch}` === h,
    )!;
    expect(KINDS.map((t) => decide(host, t, qemu))).toEqual(want);
  });

  it('the table above covers every host row', () => {
    expect(Object.keys(HOST_RUNS).sort()).toEqual(
      ['darwin/arm64', 'darwin/x64', 'linux/arm64', 'linux/x64'].sort(),
    );
  });

  it('arm64 Linux with qemu-aarch64 runs aarch64 under qemu: the board CPU is the stronger proof', () => {
    for (const t of [A64, A64_MUSL])
      expect(hostRun(LINUX_ARM64, t, CPU, '2.31', true)).toEqual({
        how: 'qemu',
      });
  });

  it('arm64 Linux without qemu runs aarch64 natively, saying what that does not prove', () => {
    const gnu = hostRun(LINUX_ARM64, A64, CPU, '2.31', false);
    const note = gnu.how === 'native' ? gnu.note : '';
    expect(note).toContain('aarch64-unknown-linux-gnu: runs natively on this linux/arm64 host');
    expect(note).toContain('not under qemu -cpu cortex-a72 (qemu-aarch64 is not installed)');
    expect(note).toContain('the CPU level is proven by the static checks only');
    expect(note).toContain("the host's glibc 2.39, not Pi OS's (the binary needs at most 2.31");
    const musl = hostRun(LINUX_ARM64, A64_MUSL, 'cortex-a53', '2.31', false);
    const mnote = musl.how === 'native' ? musl.note : '';
    expect(mnote).toContain('not under qemu -cpu cortex-a53');
    expect(mnote).toContain('static (musl)');
    expect(mnote).not.toContain("host's glibc");
  });

  it('arm64 Linux keeps 32-bit ARM under qemu (no AArch32 on its cores), found or not', () => {
    for (const t of [V7, V6, V6_MUSL])
      for (const q of [true, false])
        expect(hostRun(LINUX_ARM64, t, 'arm1176', '2.31', q).how).toBe('qemu');
  });

  it('without qemu, a glibc floor newer than the arm64 host’s glibc cannot run natively; musl can', () => {
    expect(hostRun(LINUX_ARM64, A64, CPU, '2.41', false).how).toBe('qemu');
    expect(hostRun(LINUX_ARM64, A64, CPU, '2.39', false).how).toBe('native');
    expect(hostRun(LINUX_ARM64, A64_MUSL, CPU, '2.41', false).how).toBe('native');
    expect(hostRun({ ...LINUX_ARM64, glibc: null }, A64, CPU, '2.28', false).how).toBe('qemu');
    expect(hostRun({ ...LINUX_ARM64, glibc: null }, A64_MUSL, CPU, '2.28', false).how).toBe(
      'native',
    );
    // With qemu there, the host's glibc does not matter: qemu -L runs the target's.
    expect(hostRun(LINUX_ARM64, A64, CPU, '2.41', true).how).toBe('qemu');
  });

  it('macOS runs nothing, with a notice that names the target and what was still checked', () => {
    for (const host of [MAC_ARM64, MAC_X64]) {
      for (const t of TARGETS) {
        const r = hostRun(host, t, 'cortex-a53', '2.31', false);
        expect(r.how).toBe('none');
        const notice = r.how === 'none' ? r.notice : '';
        expect(notice).toContain(`${t.triple}: macOS has no qemu-user`);
        expect(notice).toContain(`on this darwin/${host.arch} runner`);
        expect(notice).toContain('checked statically');
      }
    }
    expect(noRunNotice(MAC_ARM64, V6)).toContain('the ARMv6 instruction scan');
    expect(noRunNotice(MAC_ARM64, V7)).not.toContain('ARMv6');
  });

  it('an unknown host runs nothing rather than guessing', () => {
    const r = hostRun({ os: 'win32', arch: 'x64', glibc: null }, A64, 'cortex-a53', '2.31', true);
    expect(r).toEqual({ how: 'none', notice: expect.stringContaining('knows no qemu-user') });
  });

  it('the missing-qemu advice says apt only where apt can help', () => {
    expect(qemuMissingAdvice(LINUX_X64)).toContain('apt-get install qemu-user-static');
    expect(qemuMissingAdvice(MAC_ARM64)).not.toContain('apt-get');
    expect(qemuMissingAdvice(MAC_ARM64)).toContain('Linux runner');
  });

  it('the table has a row for every host the manifest pins zig for', () => {
    const hosts = zigToolchains(loadManifest()).flatMap((e) =>
      e.hosts.map((h) => `${h.os}/${h.arch}`),
    );
    expect(hosts.length).toBeGreaterThan(0);
    for (const h of new Set(hosts)) expect(HOST_RUNS[h]).toBeDefined();
  });
});
