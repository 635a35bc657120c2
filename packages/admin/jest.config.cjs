// The browser tests: the real API in-process (the server's test harness and per-run database) and the built back
// office, driven in Debian's Chromium by playwright-core.
/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.base.js'), testTimeout: 120_000, maxWorkers: 1 };
