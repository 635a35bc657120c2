// Methods: only what the registered routes serve. TRACE and other unknown methods get 405 (tRPC used to answer
// them with a 500); a wrong method on a known REST path gets 405 with Allow (the adapter said 404); HEAD runs as
// GET — same authentication, same status, no body — where GET exists, and 405 elsewhere (the adapter answered 204
// on every path without checking anything). Also marks every API response `Cache-Control: no-store`: they carry
// tokens or a signed-in user's data.
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { NOT_FOUND_MESSAGE, sendFrameworkError, sendMethodNotAllowed } from '../errors';
import { matchRestPath, trpcProcedures } from '../transports/route-table';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Served by the app itself, not by a procedure: their own routes decide. */
const NOT_PROCEDURES = /^\/api\/(docs(\/|$)|openapi\.json$)/;

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The methods this path serves when it is a procedure path (REST or tRPC), else undefined (another route decides). */
function allowedMethods(path: string): string[] | undefined {
  if (path.startsWith('/trpc/')) {
    const procedures = trpcProcedures(path);
    if (!procedures) return undefined; // tRPC answers its own 404
    return procedures.allQueries ? ['GET', 'HEAD'] : ['POST'];
  }
  if (path.startsWith('/api/') && !NOT_PROCEDURES.test(path)) return matchRestPath(path)?.allowed;
  return undefined;
}

/** App-wide (fastify-plugin): it judges every request before routing-specific hooks run. */
export const methodGuardPlugin = fp(
  async (app) => {
    const headAsGet = new WeakSet<FastifyRequest>();

    app.addHook('onRequest', async (request, reply) => {
      const method = request.method;
      const path = pathOf(request.url);
      if (!KNOWN_METHODS.has(method)) {
        return sendMethodNotAllowed(path, reply, method);
      }
      if (method === 'OPTIONS') return; // CORS preflights
      const allowed = allowedMethods(path);
      if (!allowed) {
        if (
          method === 'HEAD' &&
          (path.startsWith('/api/') || path.startsWith('/trpc/')) &&
          !NOT_PROCEDURES.test(path)
        ) {
          return sendFrameworkError(path, reply, 404, NOT_FOUND_MESSAGE);
        }
        return;
      }
      // GET and POST on a tRPC path are tRPC's to judge (a mutation over GET, a query over POST): its own 405 body.
      const trpcDecides = path.startsWith('/trpc/') && (method === 'GET' || method === 'POST');
      if (!allowed.includes(method) && !trpcDecides) {
        return sendMethodNotAllowed(path, reply, method, allowed);
      }
      if (method === 'HEAD') {
        headAsGet.add(request);
        request.raw.method = 'GET';
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const path = pathOf(request.originalUrl);
      if ((path.startsWith('/api/') && !NOT_PROCEDURES.test(path)) || path.startsWith('/trpc/')) {
        void reply.header('cache-control', 'no-store');
      }
      if (!headAsGet.has(request)) return payload;
      // tRPC hands Fastify a Response, whose status and headers Fastify applies when it sends it: keep them.
      return payload instanceof Response
        ? new Response(null, { status: payload.status, headers: payload.headers })
        : '';
    });
  },
  { name: 'method-guard' },
);
