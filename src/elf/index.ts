/** ELF inspection for Pi binaries: parse a file's bytes, then verify them against a target. */
export { parseElf, maxGlibcVersion, glibcVersionOf, ElfError } from './parse.js';
export type * from './types.js';
export { verifyElf, verifyBytes } from './verify.js';
export type { Finding, FindingCode, BinaryFacts, VerifyExpectation, Verdict } from './verify.js';
export { CPU_ARCH_NAMES, FP_ARCH_NAMES } from './attributes.js';
