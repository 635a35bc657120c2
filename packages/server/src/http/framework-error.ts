// The body of an error raised outside any procedure (by Fastify, or by a hook before routing), in the shape of the
// transport the URL belongs to: tRPC's error envelope under /trpc, DRF's {"detail"} elsewhere.
import type { FastifyReply } from 'fastify';

export function sendFrameworkError(url: string, reply: FastifyReply, status: number, message: string): FastifyReply {
  if (url.startsWith('/trpc')) {
    return reply.status(status).send({ error: { message, code: -32600, data: { httpStatus: status } } });
  }
  return reply.status(status).send({ detail: message });
}
