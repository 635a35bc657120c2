// REST at /api through trpc-to-openapi, with the old DRF paths. The adapter sends error bodies of its own
// ({...formatterShape, message, code, issues}); the body API.md prescribes, decided in src/errors.ts, is computed
// when the adapter reports the error (onError) and sent in place of the adapter's (onSend). The adapter also takes
// its error status from src/errors.ts (responseMeta).
import type { TRPCError } from '@trpc/server';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fastifyTRPCOpenApiPlugin } from 'trpc-to-openapi';
import { restErrorOf } from '../errors';
import { appRouter } from '../router';
import type { Services } from '../services';
import { contextFactory } from '../trpc/context';
import { pathBodyAgreement } from './path-body-agreement';
import { registerProcedureRoute } from './procedure-route';
import { responseMetaFor } from './response-meta';

export interface RestTransportOptions {
  services: Services;
  bodyLimit: number;
  /** Base of paginated lists' links (config PUBLIC_URL, or '' for relative ones). */
  linkBase: string;
}

/** Registered with prefix /api. */
export const restTransport: FastifyPluginAsync<RestTransportOptions> = async (api, opts) => {
  const createContext = contextFactory(opts.services, 'rest', api.authAttemptLimiter, opts.linkBase);

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

  // The JSON of each failed call's API.md body, by request (set in the adapter's onError below).
  const errorBodies = new WeakMap<object, string>();
  api.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    return errorBodies.get(request) ?? payload;
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

  // The most polled read, on a route of its own that calls the procedure directly (see procedure-route.ts).
  registerProcedureRoute(api, 'events.list', createContext);

  await api.register(fastifyTRPCOpenApiPlugin, {
    basePath: '/',
    router: appRouter,
    createContext,
    responseMeta: responseMetaFor(appRouter, { transport: 'rest' }),
    maxBodySize: opts.bodyLimit,
    onError: ({ error, req }: { error: TRPCError; req: unknown }) => {
      // The adapter hands over the Fastify request it was given.
      const request = req as FastifyRequest;
      if (error.code === 'INTERNAL_SERVER_ERROR') request.log.error({ err: error.cause ?? error }, 'unhandled error');
      errorBodies.set(request, JSON.stringify(restErrorOf(error).body));
    },
  });
};
