// The shared setup (../../jest.base.js): SWC, ESM handling, a fresh migrated database per run.
/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.base.js') };
