// Jest with SWC, shaped like the server's. ESM-only dependencies (agenda, @agendajs/*) are transformed to CommonJS.
// The test database comes from the server's global setup: one fresh, migrated database per run.
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
  testTimeout: 90_000,
  // Every worker sweeps the whole test database, so test files run one at a time: a test counting expiries must
  // see only its own workers.
  maxWorkers: 1,
  // Agenda checks a running job's lock on a timer of lockLifetime/2 that it neither clears nor unrefs when the job
  // ends, so it outlives worker.stop() by up to 30 s. Everything the worker opens itself is closed by stop().
  forceExit: true,
};
