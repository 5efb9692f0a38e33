/** Tests are TypeScript compiled by ts-jest to CommonJS, the same module system the bundle uses. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  // Real registries and BuildKit builds are slow on two cores; the timeout guards against hangs, not speed.
  testTimeout: 120000,
};
