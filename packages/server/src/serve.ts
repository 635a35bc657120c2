// Listening and graceful shutdown for the API, shared by main.ts and the all-in-one launcher.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { drainAndClose } from './plugins/drain';
import type { Runtime } from './runtime';

/** How long a shutdown may take after the drain delay (in-flight requests, the worker's sweep, the pool). */
const SHUTDOWN_GRACE_MS = 15_000;

export interface ApiServer {
  app: FastifyInstance;
  /**
   * Drains: `/readyz` fails at once, requests are served for the drain delay, then the listener closes, streams
   * end and in-flight requests finish.
   */
  close(): Promise<void>;
  /** Longest a shutdown may take before the process is forced out: the drain delay plus time for the rest. */
  shutdownGraceMs: number;
}

export async function serveApi(runtime: Runtime): Promise<ApiServer> {
  const app = await buildApp(runtime);
  await app.listen({ port: runtime.config.port, host: runtime.config.host });
  const { drainDelayMs } = runtime.config;
  return {
    app,
    close: () => drainAndClose(app, { delayMs: drainDelayMs }),
    shutdownGraceMs: drainDelayMs + SHUTDOWN_GRACE_MS,
  };
}

/**
 * Runs `stop` once on the first SIGTERM/SIGINT, then exits (1 if stopping failed or took longer than
 * `graceMs`).
 */
export function onShutdownSignal(stop: (signal: string) => Promise<void>, graceMs = SHUTDOWN_GRACE_MS): void {
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
