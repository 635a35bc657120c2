// The Jest setup every package shares: SWC with decorators and metadata (sequelize-typescript), the ESM-only
// packages tests load through require() transformed to CommonJS, `.js` specifiers of nodenext dynamic imports
// mapped to sources, @holdfast/server mapped to its sources (the test kit and the worker run the same modules as the
// server's own tests, and no suite needs a build of the server first), and the server's per-run test database.
const path = require('node:path');

const support = path.join(__dirname, 'packages/server/test/support');

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
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@holdfast/server$': path.join(__dirname, 'packages/server/src/index.ts'),
  },
  globalSetup: path.join(support, 'global-setup.ts'),
  globalTeardown: path.join(support, 'global-teardown.ts'),
  testTimeout: 60_000,
  maxWorkers: 2,
};
