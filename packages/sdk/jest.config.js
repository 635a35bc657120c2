// The shared setup (../../jest.base.js): the SDK's tests start the real server in-process, so they need the
// server's transform and its per-run test database.
/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.base.js') };
