// Native ESM jest: every current @actions/* package is ESM-only (run with
// NODE_OPTIONS=--experimental-vm-modules, as the npm scripts do).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['**/__tests__/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/cleanup.ts'],
  // Stryker's sandbox copies of the project (npm run mutation) are not tests of this checkout.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  // e2e suites build real crates; two cores, so keep parallelism modest.
  maxWorkers: 2,
  // Real cross builds on a loaded 2-core machine can take a minute; a hang still ends.
  testTimeout: 180000,
};
