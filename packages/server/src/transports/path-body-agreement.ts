// REST only: a body field named like a path parameter (`PUT /api/events/5/` with `{"id": 5, ...}`, as a client sends
// back what GET returned) must name the same thing. The adapter merges the path over the body, so without this check
// a body `id` of 7 would be silently dropped and event 5 changed: a client bug that should be told, not hidden.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, sendRestError } from '../errors';
import { restRoutes } from '../openapi';
import { zId } from '../validation';

interface PathTemplate {
  method: string;
  pattern: RegExp;
  params: string[];
}

/** Templates of the routes with path parameters, matched against the URL under `prefix` (either trailing form). */
function templates(prefix: string): PathTemplate[] {
  return restRoutes()
    .filter((r) => r.path.includes('{'))
    .map((r) => {
      const params: string[] = [];
      const source = r.path
        .replace(/\/$/, '')
        .split(/(\{\w+\})/)
        .map((part) => {
          const param = /^\{(\w+)\}$/.exec(part)?.[1];
          if (param === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          params.push(param);
          return '([^/?]+)';
        })
        .join('');
      return { method: r.method, pattern: new RegExp(`^${prefix}${source}/?(?:\\?.*)?$`), params };
    });
}

/** Whether both name the same id (every path parameter of this API is an id). */
function sameId(fromBody: unknown, fromPath: string): boolean {
  const a = zId.safeParse(fromBody);
  let decoded: string;
  try {
    decoded = decodeURIComponent(fromPath);
  } catch {
    return false;
  }
  const b = zId.safeParse(decoded);
  return a.success && b.success && a.data === b.data;
}

/** A preHandler that answers 400 with a field map when a body field contradicts the path parameter of that name. */
export function pathBodyAgreement(prefix: string) {
  const routes = templates(prefix);
  return async function checkPathBodyAgreement(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
    for (const route of routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.url);
      if (!match) continue;
      const errors: Record<string, string[]> = {};
      route.params.forEach((param, i) => {
        if (Object.hasOwn(body, param) && !sameId((body as Record<string, unknown>)[param], match[i + 1] ?? '')) {
          errors[param] = [`Does not match the ${param} in the URL.`];
        }
      });
      if (Object.keys(errors).length > 0) return sendRestError(reply, AppError.validation(errors));
      return undefined;
    }
    return undefined;
  };
}
