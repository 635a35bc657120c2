"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.serveApi = serveApi;
exports.onShutdownSignal = onShutdownSignal;
const app_1 = require("./app");
async function serveApi(runtime) {
    const app = await (0, app_1.buildApp)(runtime);
    await app.listen({ port: runtime.config.port, host: runtime.config.host });
    return { app, close: () => app.close() };
}
/**
 * Runs `stop` once on the first SIGTERM/SIGINT, then exits (1 if stopping failed or took longer than
 * `graceMs`).
 */
function onShutdownSignal(stop, graceMs = 15_000) {
    let stopping = false;
    const handle = (signal) => {
        if (stopping)
            return;
        stopping = true;
        const force = setTimeout(() => process.exit(1), graceMs).unref();
        stop(signal).then(() => {
            clearTimeout(force);
            process.exit(0);
        }, (err) => {
            console.error('error during shutdown', err);
            process.exit(1);
        });
    };
    process.on('SIGTERM', () => handle('SIGTERM'));
    process.on('SIGINT', () => handle('SIGINT'));
}
