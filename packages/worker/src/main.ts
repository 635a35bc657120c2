// The worker process alone (the compose `worker` service, `pnpm --filter @holdfast/worker start`): config,
// runtime, worker, graceful shutdown. It does not wait for the job store: the worker retries it in the background.
import { loadConfig, onShutdownSignal, startRuntime, startupFailure } from '@holdfast/server';
import { createJsonLogger, describeError } from './logger';
import { startWorker } from './worker';

/** Starts the worker process; it runs until SIGTERM/SIGINT. */
export async function runWorkerProcess(): Promise<void> {
  const config = loadConfig();
  const log = createJsonLogger({ level: config.logLevel });
  // Agenda fires a few store calls without awaiting them (e.g. releasing a lock it took too early); with the store
  // down one of those rejects with nobody listening. That is a failed store call, not a reason to exit: polling
  // goes on and recovers when the store answers.
  process.on('unhandledRejection', (reason) => {
    log.error(`unhandled rejection (kept running): ${describeError(reason)}`);
  });
  const runtime = await startRuntime(config, { log });
  const worker = startWorker(runtime, { log });
  onShutdownSignal(async (signal) => {
    log.info(`${signal} received: stopping the worker`);
    await worker.stop();
    await runtime.close();
  });
}

if (require.main === module) {
  runWorkerProcess().catch((err: unknown) => {
    console.error(startupFailure(err));
    process.exit(1);
  });
}
