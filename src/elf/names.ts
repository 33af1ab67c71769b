/** Human names for e_machine values a Pi build can plausibly produce by mistake. */

const MACHINES: Readonly<Record<number, string>> = {
  0: 'none',
  2: 'SPARC',
  3: 'x86 (i386)',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'S/390',
  40: 'ARM (32-bit)',
  62: 'x86-64',
  183: 'AArch64 (64-bit ARM)',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** Short arch names matching Rust's target arch component. */
const ARCHES: Readonly<Record<number, string>> = {
  3: 'i686',
  8: 'mips',
  20: 'powerpc',
  21: 'powerpc64',
  22: 's390x',
  40: 'arm',
  62: 'x86_64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch64',
};

export function machineName(machine: number): string {
  return MACHINES[machine] ?? `unknown machine ${machine}`;
}

export function machineArch(machine: number): string {
  return ARCHES[machine] ?? `machine-${machine}`;
}
