// The API process alone (the compose `api` service): config, runtime, listen, graceful shutdown.
import { loadConfig } from './config';
import { startRuntime, startupFailure } from './runtime';
import { onShutdownSignal, serveApi } from './serve';

async function main(): Promise<void> {
  const config = loadConfig();
  const runtime = await startRuntime(config, {
    log: {
      info: (m: string) => console.log(`[holdfast] ${m}`),
      warn: (m: string) => console.warn(`[holdfast] WARNING: ${m}`),
    },
  });
  const api = await serveApi(runtime);
  onShutdownSignal(async (signal) => {
    api.app.log.info(`${signal} received: draining (readyz 503 for ${runtime.config.drainDelayMs} ms), then closing`);
    await api.close();
    await runtime.close();
  }, api.shutdownGraceMs);
}

main().catch((err: unknown) => {
  console.error(startupFailure(err));
  process.exit(1);
});
