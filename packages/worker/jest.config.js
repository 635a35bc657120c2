// The shared setup (../../jest.base.js), with the worker's differences.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.base.js'),
  testTimeout: 90_000,
  // Every worker sweeps the whole test database, so test files run one at a time: a test counting expiries must
  // see only its own workers.
  maxWorkers: 1,
  // Agenda checks a running job's lock on a timer of lockLifetime/2 that it neither clears nor unrefs when the job
  // ends, so it outlives worker.stop() by up to 30 s. Everything the worker opens itself is closed by stop().
  forceExit: true,
};
