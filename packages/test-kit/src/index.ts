// @holdfast/test-kit: what the server, SDK, worker and admin test suites share, so none of them copies another's
// helpers or reaches into another package's test folder. `@holdfast/test-kit/database` alone is safe to load from a
// jest global setup (it needs neither the server nor the jest environment).
export * from './browser';
export * from './database';
export * from './harness';
export * from './lock-queue';
export * from './mongo';
export * from './network';
export * from './private-postgres';
export * from './query-watch';
export * from './sse';
export * from './waiting';
