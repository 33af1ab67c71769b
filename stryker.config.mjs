// npm run mutation: Stryker on the pure modules, judged by the unit tests (and the archive
// writers' integration test, which checks them with GNU tar and Info-ZIP). Slow, so not in
// .ci/run. A part of it: npm run mutation -- --mutate src/elf/verify.ts (and
// STRYKER_REPORT=<name> to keep that part's reports and incremental results apart).
// Concurrency 1 by default: the machine is shared (STRYKER_CONCURRENCY=n raises it).
const report = `reports/mutation/${process.env.STRYKER_REPORT || 'all'}`;
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: {
      // elf-fuzz (a minute on its own) only checks that no input crashes the parser: it is left
      // out here, its invariants are not what a mutant changes. STRYKER_TESTS=<glob,glob>
      // narrows the tests further for a part (static mutants, e.g. the target table's data, run
      // every test each).
      testMatch: process.env.STRYKER_TESTS
        ? process.env.STRYKER_TESTS.split(',')
        : ['**/__tests__/unit/**/*.test.ts', '**/__tests__/integration/package.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', 'elf-fuzz'],
    },
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/targets/*.ts',
    'src/inputs.ts',
    'src/elf/*.ts',
    'src/cargo/env.ts',
    'src/toolchain/select.ts',
    'src/toolchain/manifest.ts',
    'src/package/{tar,zip,entries,archive}.ts',
  ],
  concurrency: Number(process.env.STRYKER_CONCURRENCY) || 1,
  timeoutMS: 20000,
  // The initial run of every test with per-test coverage on instrumented code (elf-fuzz is the
  // slow one) takes minutes on a loaded 2-core machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${report}/index.html` },
  jsonReporter: { fileName: `${report}/mutation.json` },
  // Re-runs test only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: `${report}/incremental.json`,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'coverage', 'reports', '**/target'],
};
