// The request id: taken from a well-formed X-Request-Id header (a proxy's) or made up, used as the log's reqId and
// sent back on every response so a client can quote it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Fastify's genReqId: the caller's id when it is safe to log and echo, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export const requestIdPlugin = fp(
  async (app) => {
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  },
  { name: 'request-id' },
);
