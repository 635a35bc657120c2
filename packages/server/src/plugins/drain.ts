// Graceful drain of one API process, in the order a proxy or orchestrator needs it:
//  1. `/readyz` answers 503 at once, so health-checking load balancers take the process out of rotation;
//  2. for the drain delay the process keeps serving every request, each answered with `Connection: close`, so
//     clients and proxies holding keep-alive connections reconnect (to another process) after their current
//     request instead of finding the connection gone under their next one;
//  3. the listener closes: new connections are refused (a proxy retries those elsewhere, whatever the method,
//     since nothing was sent), idle keep-alive sockets are closed, `onDrain` hooks end long-lived streams, and a
//     request that reached the process before all that is served (buildApp turns Fastify's 503-while-closing off:
//     the topology harness saw it fail a POST that arrived in the moment between "closing" and "not listening");
//  4. in-flight requests finish with their real answer, then close() resolves and the process may exit.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Ends something long-lived (an SSE stream) when the process stops accepting connections. */
export type DrainHook = () => void | Promise<void>;

export interface Drain {
  /** True from the moment the drain starts (`/readyz` then answers 503). */
  readonly draining: boolean;
  /**
   * Registers a hook run once when the listener closes; returns a function that unregisters it (call it when the
   * stream ends by itself, so finished streams are not kept).
   */
  onDrain(hook: DrainHook): () => void;
  /** Starts the drain (idempotent). Serving goes on until the app is closed. */
  begin(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's drain state and the registry of hooks that end long-lived responses. */
    drain: Drain;
  }
}

/**
 * Adds the drain to the app: `app.drain`, the `Connection: close` header while draining, and the hooks run when the
 * app closes. App-wide (fastify-plugin), so the header applies to every route.
 */
export const drainPlugin = fp(
  async (app) => {
    let draining = false;
    const hooks = new Set<DrainHook>();
    const drain: Drain = {
      get draining() {
        return draining;
      },
      onDrain(hook) {
        hooks.add(hook);
        return () => {
          hooks.delete(hook);
        };
      },
      begin() {
        draining = true;
      },
    };
    app.decorate('drain', drain);
    app.addHook('onSend', async (request, reply, payload) => {
      // HTTP/2 has no Connection header (its sessions are closed by Fastify itself).
      if (draining && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
      return payload;
    });
    // preClose runs after Fastify marks itself closing and before the server stops listening and waits for
    // in-flight requests: a stream still open there would hold close() until the shutdown timer kills the process.
    app.addHook('preClose', async () => {
      draining = true;
      const running = [...hooks];
      hooks.clear();
      await Promise.allSettled(running.map(async (hook) => hook()));
    });
  },
  { name: 'drain' },
);

export interface DrainSettings {
  /** How long the process keeps serving (with `Connection: close`) after `/readyz` starts failing. */
  delayMs: number;
}

/** The whole drain: begin (readyz 503), serve for `delayMs`, then close (streams end, in-flight requests finish). */
export async function drainAndClose(app: FastifyInstance, settings: DrainSettings): Promise<void> {
  app.drain.begin();
  if (settings.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.delayMs));
  await app.close();
}
