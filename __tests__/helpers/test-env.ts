import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where scripts/setup-test-env.sh put the offline cross-compiling pieces. */
export const TEST_HOME = process.env.RPI_TEST_HOME ?? '/opt/rust-rpi-cross-test';
export const RUST_TOOLCHAIN = process.env.RPI_TEST_RUST_TOOLCHAIN ?? 'debian-web';
export const TOOLCHAIN_DIR = path.join(TEST_HOME, 'toolchains');
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(REPO, 'fixtures');
export const DIST = path.join(REPO, 'dist', 'index.js');

export interface TestToolchain {
  file: string;
  sha256: string;
  gnuTriple: string;
  /** The sysroot inside the unpacked tarball (qemu -L). */
  sysrootRel: string;
}

/** The relocatable Debian-built toolchain tarball for a gnu triple, with its sha256. */
export function testToolchain(
  gnuTriple: 'aarch64-linux-gnu' | 'arm-linux-gnueabihf' | 'pi-multi',
): TestToolchain {
  const file = `${gnuTriple}-gcc12-debian12.tar.gz`;
  const sumFile = path.join(TOOLCHAIN_DIR, `${file}.sha256`);
  if (!fs.existsSync(sumFile)) {
    throw new Error(
      `${sumFile} is missing: run 'sudo bash scripts/setup-test-env.sh' first (the README's testing section)`,
    );
  }
  const sha256 = fs.readFileSync(sumFile, 'utf8').split(/\s+/)[0] as string;
  return { file, sha256, gnuTriple, sysrootRel: gnuTriple };
}
