// GET /api/events/{id}/availability/: live availability of one event as a plain server-sent-events stream, for REST
// clients (tRPC clients use the events.availability subscription). Authenticated by the Authorization header only:
// an access token is never accepted in the URL. Each message is `id: <seq>`, `event: availability`,
// `data: <Availability JSON>`; a client that reconnects with `Last-Event-ID` is not sent that same reading again.
// Heartbeat comments keep proxies from closing a quiet stream. Writes respect backpressure: while a client's socket
// is full nothing more is written, newer values replace unsent ones, and a client stuck past LIVE_SLOW_CLIENT_MS is
// dropped (see AvailabilityHub).
import { once } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, sendRestError } from '../errors';
import type { Services } from '../services';
import { zId } from '../validation';

/** How long a client waits before reconnecting after the stream ends (the SSE `retry:` field). */
const RECONNECT_MS = 2000;

function lastEventId(request: FastifyRequest): number | undefined {
  const raw = request.headers['last-event-id'];
  if (typeof raw !== 'string' || !/^\d{1,17}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

export async function availabilityStreamPlugin(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const handler = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const id = zId.safeParse(request.params.id);
    let subscription;
    try {
      await services.auth.authenticate(request.headers.authorization);
      if (!id.success) throw AppError.validation({ id: ['A valid integer is required.'] });
      const after = lastEventId(request);
      subscription = await services.availability.subscribe(
        [id.data],
        after === undefined ? new Map() : new Map([[id.data, after]]),
      );
    } catch (err) {
      return sendRestError(reply, err);
    }

    const raw = reply.raw;
    reply.hijack();
    // The stream is long-lived by design; the heartbeat (a write) detects a vanished peer instead of an idle timeout.
    request.raw.socket.setTimeout(0);
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers proxied responses unless told not to.
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    raw.write(`retry: ${RECONNECT_MS}\n\n`);

    const gone = new AbortController();
    raw.on('close', () => gone.abort());
    const heartbeat = setInterval(() => {
      if (!raw.writableNeedDrain) raw.write(': heartbeat\n\n');
    }, services.availability.settings.heartbeatMs);
    try {
      for await (const update of subscription.updates(gone.signal)) {
        const message = `id: ${update.seq}\nevent: availability\ndata: ${JSON.stringify(update.availability)}\n\n`;
        // A full socket: wait for it to drain (meanwhile newer values replace unsent ones in the subscription).
        if (!raw.write(message)) await once(raw, 'drain', { signal: gone.signal }).catch(() => undefined);
      }
    } catch (err) {
      request.log.info({ err }, 'availability stream closed by the server');
    } finally {
      clearInterval(heartbeat);
      subscription.close();
      if (!raw.writableEnded) raw.end();
    }
  };
  app.get('/api/events/:id/availability/', handler);
  app.get('/api/events/:id/availability', handler);
}
