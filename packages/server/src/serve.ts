// Listening and graceful shutdown for the API, shared by main.ts and the all-in-one launcher.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { Runtime } from './runtime';

export interface ApiServer {
  app: FastifyInstance;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

export async function serveApi(runtime: Runtime): Promise<ApiServer> {
  const app = await buildApp(runtime);
  await app.listen({ port: runtime.config.port, host: runtime.config.host });
  return { app, close: () => app.close() };
}

/**
 * Runs `stop` once on the first SIGTERM/SIGINT, then exits (1 if stopping failed or took longer than
 * `graceMs`).
 */
export function onShutdownSignal(stop: (signal: string) => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), graceMs).unref();
    stop(signal).then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (err: unknown) => {
        console.error('error during shutdown', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
}
