// Jest with SWC, like the server's config: the SDK's tests start the real server in-process (its harness, global
// setup and teardown), so they need the same decorator transform and the same ESM-only dependency handling.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(cookie|agenda|@agendajs)[@+/])'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/../server/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/../server/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
