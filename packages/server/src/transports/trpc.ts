// tRPC at /trpc through tRPC's Fastify adapter: queries over GET, mutations over POST, batches, and subscriptions
// over server-sent events. Procedure errors get their envelope from the error formatter (src/errors.ts).
import type { FastifyPluginAsync } from 'fastify';
import { appRouter, type AppRouter } from '../router';
import type { Services } from '../services';
import { contextFactory } from '../trpc/context';
import { responseMetaFor } from './response-meta';
import { trpcRoutes, type TrpcRoutesOptions } from './trpc-handler';

export interface TrpcTransportOptions {
  services: Services;
  /** Base of paginated lists' links (config PUBLIC_URL, or '' for relative ones). */
  linkBase: string;
}

export const trpcTransport: FastifyPluginAsync<TrpcTransportOptions> = async (app, opts) => {
  // tRPC's own handler (what the direct path hands on) gives Fastify a Response; the JSON errors it raises before a procedure runs (415, a batch mixing queries
  // and mutations) are labelled text/plain.
  app.addHook('onSend', async (_request, _reply, payload) => {
    if (payload instanceof Response && payload.headers.get('content-type')?.startsWith('text/plain')) {
      payload.headers.set('content-type', 'application/json');
    }
  });

  // fastifyTRPCPlugin's routes, with a direct path for lone queries and mutations (trpc-handler.ts).
  await app.register(trpcRoutes<AppRouter>, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: contextFactory(opts.services, 'trpc', app.authAttemptLimiter, opts.linkBase),
      responseMeta: responseMetaFor(appRouter, { transport: 'trpc' }),
      onError: ({ error, req }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error }, 'unhandled error');
      },
    } satisfies TrpcRoutesOptions<AppRouter>['trpcOptions'],
  });
};
