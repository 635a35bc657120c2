// API and worker in one process: the development default behind the root `pnpm start`. Shutdown runs in reverse:
// the worker drains its job, the API drains its requests, then the database (and an embedded PostgreSQL) stops.
import {
  developmentLogWriter,
  loadConfig,
  onShutdownSignal,
  serveApi,
  startRuntime,
  startupFailure,
} from '@holdfast/server';
import { createJsonLogger } from './logger';
import { startWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  // In development the worker's lines take the API's one-line format, so one process prints one format.
  const log = createJsonLogger({
    level: config.logLevel,
    ...(config.env === 'development' ? { write: developmentLogWriter() } : {}),
  });
  const runtime = await startRuntime(config, { log });
  const api = await serveApi(runtime).catch(async (err: unknown) => {
    await runtime.close();
    throw err;
  });
  // WORKER_IN_PROCESS=0 when separate worker processes do the expiry.
  const worker = config.workerInProcess ? startWorker(runtime, { log }) : undefined;
  if (!worker) log.info('WORKER_IN_PROCESS is off: this process serves the API only');
  onShutdownSignal(async (signal) => {
    log.info(`${signal} received: stopping the worker, then the API`);
    await worker?.stop();
    await api.close();
    await runtime.close();
  }, api.shutdownGraceMs);
}

main().catch((err: unknown) => {
  console.error(startupFailure(err));
  process.exit(1);
});
