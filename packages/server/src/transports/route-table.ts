// What a request is for, judged only by the routes this server registers: the REST operations (the procedures'
// openapi meta) and the tRPC procedures. Metrics label requests with it, so a client cannot mint label values by
// inventing paths, and the method guard answers 405 from it.
import { restRoutes } from '../openapi';
import { appRouter } from '../router';

const REST_PREFIX = '/api';
const TRPC_PREFIX = '/trpc/';

/** The label of every request that matches no registered route. */
export const UNMATCHED_ROUTE = 'unmatched';
/** The label of a tRPC batch (the combinations of procedures are too many to label one by one). */
export const TRPC_BATCH_ROUTE = '/trpc/{batch}';

interface RestTemplate {
  method: string;
  /** e.g. /api/events/{id}/ */
  template: string;
  pattern: RegExp;
  /** Without a parameter: such a template wins over ones with (/reservations/create_hold/ over /reservations/{id}/). */
  literal: boolean;
}

let restTemplates: RestTemplate[] | undefined;
function templates(): RestTemplate[] {
  restTemplates ??= restRoutes().map((r) => {
    const template = `${REST_PREFIX}${r.path}`;
    const source = template
      .replace(/\/$/, '')
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    // The adapter routes with and without the trailing slash, ignoring case.
    return { method: r.method, template, pattern: new RegExp(`^${source}/?$`, 'i'), literal: !/\{/.test(r.path) };
  });
  return restTemplates;
}

export interface RestPathMatch {
  /** The methods the path serves (HEAD included where GET is). */
  allowed: string[];
  /** The route label of this method on this path (the first template of the path when the method is not served). */
  label: string;
}

/** The REST operations whose path matches this URL path (no query string), or undefined when none does. */
export function matchRestPath(pathname: string): RestPathMatch | undefined {
  const all = templates().filter((t) => t.pattern.test(pathname));
  if (all.length === 0) return undefined;
  // As a router does: a path that matches a template without parameters is that route, not an {id} of another.
  const literal = all.filter((t) => t.literal);
  const hits = literal.length > 0 ? literal : all;
  const allowed = [...new Set(hits.map((t) => t.method))];
  if (allowed.includes('GET')) allowed.push('HEAD');
  return { allowed, label: hits[0]!.template };
}

/** The kind of each procedure of the router by name: what tRPC paths and their methods can be. */
let procedureKinds: Map<string, string> | undefined;
function kindOf(name: string): string | undefined {
  procedureKinds ??= new Map(
    Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>).map(
      ([path, p]) => [path, p._def.type],
    ),
  );
  return procedureKinds.get(name);
}

/** The procedures a /trpc/… path names when every one of them exists, else undefined. */
export function trpcProcedures(pathname: string): { names: string[]; allQueries: boolean } | undefined {
  if (!pathname.startsWith(TRPC_PREFIX)) return undefined;
  let names: string[];
  try {
    names = decodeURIComponent(pathname.slice(TRPC_PREFIX.length)).split(',');
  } catch {
    return undefined;
  }
  const kinds = names.map(kindOf);
  if (names.length === 0 || kinds.some((k) => k === undefined)) return undefined;
  return { names, allQueries: kinds.every((k) => k === 'query') };
}

/**
 * The metrics route label of a request: a REST template, a tRPC procedure (or the batch label), the pattern of
 * another registered route (e.g. /healthz, /api/docs/*), or UNMATCHED_ROUTE. Never a string from the client.
 */
export function routeLabelOf(pathname: string, registeredPattern: string | undefined): string {
  if (pathname.startsWith(`${REST_PREFIX}/`) && registeredPattern === `${REST_PREFIX}/*`) {
    return matchRestPath(pathname)?.label ?? UNMATCHED_ROUTE;
  }
  if (pathname.startsWith(TRPC_PREFIX)) {
    const procedures = trpcProcedures(pathname);
    if (!procedures) return UNMATCHED_ROUTE;
    return procedures.names.length === 1 ? `${TRPC_PREFIX}${procedures.names[0]}` : TRPC_BATCH_ROUTE;
  }
  return registeredPattern ?? UNMATCHED_ROUTE;
}
