/**
 * The Pi targets, boards and Pi OS releases as data. Everything that differs between targets
 * lives here; code that needs a per-target fact looks it up instead of branching on a triple.
 */

export type Libc = 'gnu' | 'musl';
/** Minimum ARM architecture level a target's code may use. */
export type CpuLevel = 'v6' | 'v7' | 'v8';

export const EM_ARM = 40;
export const EM_AARCH64 = 183;

export interface TargetSpec {
  /** Rust target triple. */
  readonly triple: string;
  readonly arch: 'aarch64' | 'arm';
  readonly libc: Libc;
  readonly cpu: CpuLevel;
  /** What a correct binary for this target looks like. */
  readonly elf: {
    readonly bits: 32 | 64;
    readonly machine: number;
    /** EABI hard-float (VFP registers for arguments); always true for our 32-bit targets. */
    readonly hardFloat: boolean;
  };
  /** PT_INTERP a dynamically linked binary must name; null: must be static (musl). */
  readonly interpreter: string | null;
  /** qemu-user binary name (without -static) and the CPU model of the oldest board it serves. */
  readonly qemu: { readonly binary: 'qemu-aarch64' | 'qemu-arm'; readonly cpu: string };
  /** The compiler prefix cc-rs guesses for this target; used to recognise a toolchain's driver. */
  readonly gccTriple: string;
  /** The same board's target with the other libc. */
  readonly twin: string;
}

const AARCH64 = { bits: 64, machine: EM_AARCH64, hardFloat: true } as const;
const ARM32 = { bits: 32, machine: EM_ARM, hardFloat: true } as const;

export const TARGETS: readonly TargetSpec[] = [
  {
    triple: 'aarch64-unknown-linux-gnu',
    arch: 'aarch64',
    libc: 'gnu',
    cpu: 'v8',
    elf: AARCH64,
    interpreter: '/lib/ld-linux-aarch64.so.1',
    qemu: { binary: 'qemu-aarch64', cpu: 'cortex-a53' },
    gccTriple: 'aarch64-linux-gnu',
    twin: 'aarch64-unknown-linux-musl',
  },
  {
    triple: 'armv7-unknown-linux-gnueabihf',
    arch: 'arm',
    libc: 'gnu',
    cpu: 'v7',
    elf: ARM32,
    interpreter: '/lib/ld-linux-armhf.so.3',
    qemu: { binary: 'qemu-arm', cpu: 'cortex-a7' },
    gccTriple: 'arm-linux-gnueabihf',
    twin: 'armv7-unknown-linux-musleabihf',
  },
  {
    triple: 'arm-unknown-linux-gnueabihf',
    arch: 'arm',
    libc: 'gnu',
    cpu: 'v6',
    elf: ARM32,
    interpreter: '/lib/ld-linux-armhf.so.3',
    qemu: { binary: 'qemu-arm', cpu: 'arm1176' },
    gccTriple: 'arm-linux-gnueabihf',
    twin: 'arm-unknown-linux-musleabihf',
  },
  {
    triple: 'aarch64-unknown-linux-musl',
    arch: 'aarch64',
    libc: 'musl',
    cpu: 'v8',
    elf: AARCH64,
    interpreter: null,
    qemu: { binary: 'qemu-aarch64', cpu: 'cortex-a53' },
    gccTriple: 'aarch64-linux-musl',
    twin: 'aarch64-unknown-linux-gnu',
  },
  {
    triple: 'armv7-unknown-linux-musleabihf',
    arch: 'arm',
    libc: 'musl',
    cpu: 'v7',
    elf: ARM32,
    interpreter: null,
    qemu: { binary: 'qemu-arm', cpu: 'cortex-a7' },
    gccTriple: 'arm-linux-musleabihf',
    twin: 'armv7-unknown-linux-gnueabihf',
  },
  {
    triple: 'arm-unknown-linux-musleabihf',
    arch: 'arm',
    libc: 'musl',
    cpu: 'v6',
    elf: ARM32,
    interpreter: null,
    qemu: { binary: 'qemu-arm', cpu: 'arm1176' },
    gccTriple: 'arm-linux-musleabihf',
    twin: 'arm-unknown-linux-gnueabihf',
  },
];

export interface Board {
  readonly name: string;
  readonly label: string;
  /** Target for the board's default Raspberry Pi OS (64-bit where the board can run it). */
  readonly triple: string;
  /** Target for the 32-bit Pi OS on a 64-bit board (`<board>:32`); absent where it is the same. */
  readonly triple32?: string;
  /** qemu CPU model of the board's SoC (64-bit mode). */
  readonly qemuCpu: string;
}

const A64 = 'aarch64-unknown-linux-gnu';
const V7 = 'armv7-unknown-linux-gnueabihf';
const V6 = 'arm-unknown-linux-gnueabihf';

export const BOARDS: readonly Board[] = [
  { name: 'pi1', label: 'Raspberry Pi 1', triple: V6, qemuCpu: 'arm1176' },
  { name: 'pi-zero', label: 'Raspberry Pi Zero', triple: V6, qemuCpu: 'arm1176' },
  { name: 'pi-zero-w', label: 'Raspberry Pi Zero W', triple: V6, qemuCpu: 'arm1176' },
  { name: 'pi2', label: 'Raspberry Pi 2', triple: V7, qemuCpu: 'cortex-a7' },
  {
    name: 'pi-zero-2',
    label: 'Raspberry Pi Zero 2 W',
    triple: A64,
    triple32: V7,
    qemuCpu: 'cortex-a53',
  },
  { name: 'pi3', label: 'Raspberry Pi 3', triple: A64, triple32: V7, qemuCpu: 'cortex-a53' },
  { name: 'cm3', label: 'Compute Module 3', triple: A64, triple32: V7, qemuCpu: 'cortex-a53' },
  { name: 'pi4', label: 'Raspberry Pi 4', triple: A64, triple32: V7, qemuCpu: 'cortex-a72' },
  { name: 'pi400', label: 'Raspberry Pi 400', triple: A64, triple32: V7, qemuCpu: 'cortex-a72' },
  { name: 'cm4', label: 'Compute Module 4', triple: A64, triple32: V7, qemuCpu: 'cortex-a72' },
  { name: 'pi5', label: 'Raspberry Pi 5', triple: A64, triple32: V7, qemuCpu: 'cortex-a76' },
  { name: 'pi500', label: 'Raspberry Pi 500', triple: A64, triple32: V7, qemuCpu: 'cortex-a76' },
  { name: 'cm5', label: 'Compute Module 5', triple: A64, triple32: V7, qemuCpu: 'cortex-a76' },
];

/** Raspberry Pi OS releases and the glibc each ships: the floor a gnu binary must not exceed. */
export const PI_OS = [
  { name: 'buster', glibc: '2.28' },
  { name: 'bullseye', glibc: '2.31' },
  { name: 'bookworm', glibc: '2.36' },
  { name: 'trixie', glibc: '2.41' },
] as const;

export type PiOsName = (typeof PI_OS)[number]['name'];
export const DEFAULT_PI_OS: PiOsName = 'bullseye';

/** qemu-arm (32-bit user mode) has no Cortex-A53/A72/A76 model; these run ARMv7 code the same. */
export const QEMU_ARM32_CPU_FOR_V8_BOARD = 'cortex-a7';

export function targetSpec(triple: string): TargetSpec {
  const spec = TARGETS.find((t) => t.triple === triple);
  if (!spec) throw new Error(`internal: no target spec for ${triple}`);
  return spec;
}

/** `aarch64-unknown-linux-gnu` → `aarch64_unknown_linux_gnu` (cc-rs env suffix). */
export function tripleEnvSuffix(triple: string): string {
  return triple.replace(/-/g, '_');
}

/** `aarch64-unknown-linux-gnu` → `AARCH64_UNKNOWN_LINUX_GNU` (cargo env key part). */
export function tripleCargoKey(triple: string): string {
  return tripleEnvSuffix(triple).toUpperCase();
}

/** Pi OS releases whose glibc is at least `needed` (e.g. '2.34' → bookworm, trixie). */
export function piOsRunningGlibc(needed: string | null): string[] {
  return PI_OS.filter((os) => needed === null || compareVersions(os.glibc, needed) >= 0).map(
    (os) => os.name,
  );
}

/** Numeric dotted-version compare: '2.9' < '2.28'. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
