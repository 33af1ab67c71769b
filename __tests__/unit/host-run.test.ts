import { describe, expect, it } from '@jest/globals';
import { targetSpec, TARGETS } from '../../src/targets/table.js';
import { loadManifest, zigToolchains } from '../../src/toolchain/manifest.js';
import {
  HOST_RUNS,
  hostRun,
  needsQemu,
  noRunNotice,
  qemuMissingAdvice,
} from '../../src/zig/host-run.js';

const LINUX_X64 = { os: 'linux', arch: 'x64', glibc: '2.39' };
const LINUX_ARM64 = { os: 'linux', arch: 'arm64', glibc: '2.39' };
const MAC_ARM64 = { os: 'darwin', arch: 'arm64', glibc: null };
const MAC_X64 = { os: 'darwin', arch: 'x64', glibc: null };

const A64 = targetSpec('aarch64-unknown-linux-gnu');
const A64_MUSL = targetSpec('aarch64-unknown-linux-musl');
const V7 = targetSpec('armv7-unknown-linux-gnueabihf');
const V6 = targetSpec('arm-unknown-linux-gnueabihf');
const V6_MUSL = targetSpec('arm-unknown-linux-musleabihf');

describe('smoke runs per host', () => {
  it('x86_64 Linux runs every target under qemu', () => {
    for (const t of TARGETS) expect(hostRun(LINUX_X64, t, 'cortex-a53', '2.31').how).toBe('qemu');
  });

  it('arm64 Linux runs aarch64 natively, saying the board CPU was not emulated', () => {
    for (const t of [A64, A64_MUSL]) {
      const r = hostRun(LINUX_ARM64, t, 'cortex-a72', '2.31');
      expect(r.how).toBe('native');
      expect(r.how === 'native' && r.note).toContain('not under qemu -cpu cortex-a72');
    }
  });

  it('arm64 Linux keeps 32-bit ARM under qemu (no AArch32 on its cores)', () => {
    for (const t of [V7, V6, V6_MUSL])
      expect(hostRun(LINUX_ARM64, t, 'arm1176', '2.31').how).toBe('qemu');
  });

  it('a glibc floor newer than the arm64 host’s glibc goes to qemu; musl does not care', () => {
    expect(hostRun(LINUX_ARM64, A64, 'cortex-a72', '2.41').how).toBe('qemu');
    expect(hostRun(LINUX_ARM64, A64, 'cortex-a72', '2.39').how).toBe('native');
    expect(hostRun(LINUX_ARM64, A64_MUSL, 'cortex-a72', '2.41').how).toBe('native');
    expect(hostRun({ ...LINUX_ARM64, glibc: null }, A64, 'cortex-a72', '2.28').how).toBe('qemu');
    expect(hostRun({ ...LINUX_ARM64, glibc: null }, A64_MUSL, 'cortex-a72', '2.28').how).toBe(
      'native',
    );
  });

  it('macOS runs nothing, with a notice that names the target and what was still checked', () => {
    for (const host of [MAC_ARM64, MAC_X64]) {
      for (const t of TARGETS) {
        const r = hostRun(host, t, 'cortex-a53', '2.31');
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
    const r = hostRun({ os: 'win32', arch: 'x64', glibc: null }, A64, 'cortex-a53', '2.31');
    expect(r).toEqual({ how: 'none', notice: expect.stringContaining('knows no qemu-user') });
  });

  it('qemu is looked for only where some target runs under it', () => {
    const runs = (host: typeof LINUX_X64 | typeof MAC_ARM64, ts = TARGETS) =>
      ts.map((t) => hostRun(host, t, 'cortex-a53', '2.31'));
    expect(needsQemu(LINUX_X64, runs(LINUX_X64))).toBe(true);
    expect(needsQemu(LINUX_ARM64, runs(LINUX_ARM64, [A64, A64_MUSL]))).toBe(false);
    expect(needsQemu(LINUX_ARM64, runs(LINUX_ARM64, [A64, V7]))).toBe(true);
    expect(needsQemu(MAC_ARM64, runs(MAC_ARM64))).toBe(false);
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
