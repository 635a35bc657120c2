// The procedures' meta, declared here rather than extending trpc-to-openapi's OpenApiMeta: that type reaches zod and
// node:http, and the router's published type (the SDK's declarations) carries the meta type. Only the fields we
// use; src/openapi.ts checks at compile time that it still fits the REST adapter's OpenApiMeta.

/**
 * The zod object describing a route's documented request headers. Empty here so this module names no zod type;
 * src/openapi.ts merges zod's ZodObject into it, where the server compiles, so the headers are checked there.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HeaderSchema {}

export type RestMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What the REST adapter and the OpenAPI document read: where a procedure is exposed, and how it is described. */
export interface RestRoute {
  /** false keeps the procedure off REST (tRPC only). */
  enabled?: boolean;
  method: RestMethod;
  path: `/${string}`;
  operationId?: string;
  summary?: string;
  description?: string;
  /** Requires a bearer token (the document lists 401 and the security scheme). */
  protect?: boolean;
  tags?: string[];
  deprecated?: boolean;
  requestHeaders?: HeaderSchema;
  responseHeaders?: HeaderSchema;
  successDescription?: string;
  errorResponses?: number[] | Record<number, string>;
}

// A type alias, not an interface: tRPC's meta must be assignable to Record<string, unknown>, which only object
// literal types are implicitly.
export type Meta = {
  openapi?: RestRoute;
  /** REST success status (default 200). */
  successStatus?: 201;
  /** The 403 message adminProcedure answers with, e.g. "Only superuser (admin) can create events.". */
  forbiddenMessage?: string;
};
