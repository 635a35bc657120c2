// REST at /api through trpc-to-openapi, with the old DRF paths. The adapter builds error bodies of its own
// ({...formatterShape, message, code, issues}); the onSend hook below swaps in the body API.md prescribes, which
// the error formatter already computed (data.rest). That is the only place REST error bodies are shaped.
import type { TRPCError } from '@trpc/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fastifyTRPCOpenApiPlugin } from 'trpc-to-openapi';
import { appRouter } from '../router';
import type { AuthAttemptLimiter } from '../trpc/context';
import { contextFactory } from '../trpc/context';
import type { Services } from '../services';
import { eventListFastPath } from './event-list-fast-path';
import { pathBodyAgreement } from './path-body-agreement';
import { responseMetaFor } from './response-meta';

interface RestOptions {
  services: Services;
  limiter: AuthAttemptLimiter;
  bodyLimit: number;
  /** Base of paginated lists' links (config PUBLIC_URL, or '' for relative ones). */
  linkBase: string;
}

export async function restPlugin(api: FastifyInstance, opts: RestOptions): Promise<void> {
  // DRF accepted a POST without a body (e.g. cancel); the adapter insists on a JSON content type.
  api.addHook('preHandler', async (request: FastifyRequest) => {
    if (
      (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') &&
      !request.headers['content-type']
    ) {
      request.headers['content-type'] = 'application/json';
    }
  });

  // A body `id` that contradicts the path's is refused before the adapter lets the path win silently.
  api.addHook('preHandler', pathBodyAgreement('/api'));

  // The most polled read skips the adapter when it can answer 200 (see event-list-fast-path.ts).
  api.addHook('preHandler', eventListFastPath(opts.services, opts.linkBase));

  api.addHook('onSend', async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    try {
      const body = JSON.parse(payload) as { data?: { rest?: unknown } };
      if (body.data && 'rest' in body.data) return JSON.stringify(body.data.rest);
    } catch {
      // Not JSON from the adapter: leave it.
    }
    return payload;
  });

  // The adapter's async handler calls reply.send() without returning the reply, and resolves before the onSend
  // hooks have finished. Fastify then takes the settled promise (undefined, reply not yet sent) as a handler that
  // sent nothing and sends again: "Reply was already sent" and a write after the headers, whenever the app has a few
  // async onSend hooks. Run it as a callback-style handler instead (undefined returned at once: the reply is the
  // adapter's to send), with its errors passed to the error handler.
  api.addHook('onRoute', (route) => {
    if (!route.url.endsWith('/*')) return;
    const adapterHandler = route.handler;
    route.handler = function (this: FastifyInstance, request, reply) {
      Promise.resolve(adapterHandler.call(this, request, reply)).catch((err: unknown) => reply.send(err));
    };
  });

  await api.register(fastifyTRPCOpenApiPlugin, {
    basePath: '/',
    router: appRouter,
    createContext: contextFactory(opts.services, 'rest', opts.limiter, opts.linkBase),
    responseMeta: responseMetaFor(appRouter, { successStatus: true }),
    maxBodySize: opts.bodyLimit,
    onError: ({ error, req }: { error: TRPCError; req: unknown }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        (req as FastifyRequest).log.error({ err: error.cause ?? error }, 'unhandled error');
      }
    },
  });
}
