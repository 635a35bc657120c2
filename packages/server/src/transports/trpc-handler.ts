// tRPC at /trpc: the routes of @trpc/server's fastifyTRPCPlugin, with a direct path for the common request — one
// query (GET) or mutation (POST) with a JSON input, alone or as a batch of one (httpBatchLink's lone call).
//
// Why: tRPC's Fastify adapter turns every request into a Fetch `Request` (a URL, a Headers copy, a body stream, an
// AbortController), chains five AbortSignals in resolveResponse, and hands Fastify a `Response` whose body Fastify
// pipes as a web stream. On Node 20 that was ~50 µs of CPU per request, 12 % of a hold, and why tRPC trailed REST.
//
// The direct path calls the same procedure object resolveResponse calls — its middlewares (authentication, rate
// limits, input validation, the domain error mapping) run unchanged — and shapes the answer with tRPC's own
// getErrorShape (so the router's errorFormatter), getHTTPStatusCode and transformTRPCResponse, and the router
// options' responseMeta and onError, as resolveResponse does for one call. Everything it does not take goes to
// tRPC's fastifyRequestHandler untouched: batches of several calls, subscriptions (SSE), HEAD, other content
// types, streaming (jsonl) accept headers, connection params, a method the procedure does not serve (405), unknown
// paths (404).
import {
  getErrorShape,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  TRPCError,
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
} from '@trpc/server';
import { fastifyRequestHandler, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { getHTTPStatusCode, type TRPCRequestInfo } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface TrpcRoutesOptions<TRouter extends AnyTRPCRouter> {
  /** The options of fastifyTRPCPlugin (method override is not taken: the direct path would not honour it). */
  trpcOptions: Omit<FastifyTRPCPluginOptions<TRouter>['trpcOptions'], 'allowMethodOverride'>;
}

type TrpcOptions = TrpcRoutesOptions<AnyTRPCRouter>['trpcOptions'];
type Procedure = AnyTRPCProcedure & ((opts: ProcedureCall) => Promise<unknown>);
interface ProcedureCall {
  path: string;
  type: 'query' | 'mutation';
  ctx: unknown;
  getRawInput: () => Promise<unknown>;
  signal: AbortSignal;
  batchIndex: number;
}

/** The one call a request makes when the direct path can answer it, else undefined (tRPC's handler decides). */
interface DirectCall {
  path: string;
  type: 'query' | 'mutation';
  procedure: Procedure;
  /** The input as the client sent it: the JSON body or ?input=, undefined when absent. */
  rawJson: string | undefined;
  /** A batch of this one call (?batch=1, as httpBatchLink sends a lone call): inputs keyed "0", answers in an array. */
  batch: boolean;
}

/** `application/json` as tRPC matches it: case-insensitive, parameters ignored. */
function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase().split(';', 1)[0]?.trim() === 'application/json';
}

/** Whether tRPC would treat the request as a streaming one (jsonl), which it refuses or streams unbatched. */
function asksForStreaming(request: FastifyRequest): boolean {
  const { accept } = request.headers;
  return (
    request.headers['trpc-accept'] !== undefined ||
    (typeof accept === 'string' && accept.split(',').some((t) => t.trim() === 'application/jsonl'))
  );
}

/** The query string when it holds nothing but `batch=1` and (GET) `input`: else undefined, tRPC's to read. */
function plainQuery(search: string, method: 'GET' | 'POST'): URLSearchParams | undefined {
  const params = new URLSearchParams(search);
  for (const key of params.keys()) {
    if (key === 'batch' ? params.get('batch') !== '1' : key !== 'input' || method !== 'GET') return undefined;
  }
  return params;
}

function directCallOf(opts: TrpcOptions, request: FastifyRequest, path: string): DirectCall | undefined {
  const { router } = opts;
  const method = request.method;
  if (method !== 'POST' && method !== 'GET') return undefined;
  // Paths with a batch separator or %-escapes are tRPC's to decode and split.
  if (path.includes(',') || path.includes('%')) return undefined;
  const procedure = (router._def.procedures as Record<string, Procedure | undefined>)[path];
  const type = procedure?._def.type;
  if (!procedure || (type !== 'query' && type !== 'mutation')) return undefined;
  if ((type === 'query') !== (method === 'GET')) return undefined;
  if (asksForStreaming(request)) return undefined;
  const url = request.raw.url ?? '';
  const q = url.indexOf('?');
  const params = q === -1 ? undefined : plainQuery(url.slice(q + 1), method);
  if (q !== -1 && !params) return undefined;
  const batch = params?.get('batch') === '1';
  // Batching switched off, or capped: tRPC's answer.
  if (batch && (opts.allowBatching === false || opts.batching?.enabled === false || opts.maxBatchSize !== undefined)) {
    return undefined;
  }
  if (method === 'POST') {
    // POST: a JSON body, which the tRPC scope's parser keeps as text.
    if (!isJsonContentType(request.headers['content-type'])) return undefined;
    const body: unknown = request.body;
    if (body !== undefined && typeof body !== 'string') return undefined;
    return { path, type, procedure, rawJson: body === '' ? undefined : body, batch };
  }
  // GET: content type absent or JSON (tRPC reads nothing else), the input in ?input=.
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !isJsonContentType(contentType)) return undefined;
  return { path, type, procedure, rawJson: params?.get('input') || undefined, batch };
}

const BATCH_INPUT_REFUSAL = '"input" needs to be an object when doing a batch call';

/** The call's input from its JSON as tRPC's JSON content handler reads it (a batch's is under "0"). */
function parseInput(call: DirectCall, config: AnyTRPCRouter['_def']['_config']): unknown {
  if (call.rawJson === undefined) return undefined;
  const parsed: unknown = JSON.parse(call.rawJson);
  if (!call.batch) return config.transformer.input.deserialize(parsed);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: BATCH_INPUT_REFUSAL });
  }
  const first = (parsed as Record<string, unknown>)[0];
  return first === undefined ? undefined : config.transformer.input.deserialize(first);
}

/** The client going away aborts the call's signal, as tRPC's Request signal does. */
function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  res.once('close', () => {
    if (!res.writableEnded) controller.abort();
  });
  return controller.signal;
}

async function answerDirectly(
  opts: TrpcOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  call: DirectCall,
): Promise<FastifyReply> {
  const { router } = opts;
  const config = router._def._config;
  const signal = abortOnDisconnect(reply);
  // Read once however often the middlewares ask; a parse failure is tRPC's BAD_REQUEST with the parser's message.
  let input: unknown;
  let inputRead: Promise<unknown> | undefined;
  const getRawInput = () =>
    (inputRead ??= (async () => {
      try {
        input = parseInput(call, config);
      } catch (cause) {
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: cause instanceof Error ? cause.message : 'Invalid input',
          cause,
        });
      }
      return input;
    })());
  const info: TRPCRequestInfo = {
    isBatchCall: call.batch,
    accept: null,
    type: call.type,
    calls: [{ path: call.path, procedure: call.procedure, batchIndex: 0, getRawInput, result: () => input }],
    connectionParams: null,
    signal,
    url: null,
  };

  let ctx: unknown;
  let error: TRPCError | undefined;
  let data: unknown;
  try {
    ctx = await opts.createContext?.({ req: request, res: reply, info });
    data = await call.procedure({ path: call.path, type: call.type, ctx, getRawInput, signal, batchIndex: 0 });
  } catch (cause) {
    error = getTRPCErrorFromUnknown(cause);
    opts.onError?.({ error, path: call.path, input, ctx, type: call.type, req: request });
  }
  if (!error && isStreamLike(data)) {
    // A batch answers it as the call's error (not reported to onError).
    if (call.batch) error = new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: STREAM_REFUSAL });
  }
  if (!error && isStreamLike(data)) {
    // A single call: resolveResponse refuses it outside the call (its outer catch): no path, no input.
    const refused = new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: STREAM_REFUSAL });
    opts.onError?.({ error: refused, path: undefined, input: undefined, ctx, type: call.type, req: request });
    const shape = getErrorShape({ config, error: refused, type: call.type, path: undefined, input: undefined, ctx });
    return send(opts, reply, info, ctx, { error: shape }, refused);
  }
  const body = error
    ? { error: getErrorShape({ config, error, type: call.type, path: call.path, input, ctx }) }
    : { result: { data } };
  return send(opts, reply, info, ctx, body, error);
}

const STREAM_REFUSAL = 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink';

/** A value only a streaming link can carry: an async iterable, or an object with promises or iterables in it. */
function isStreamLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Symbol.asyncIterator in value) return true;
  return Object.values(value).some(
    (v: unknown) =>
      typeof v === 'object' &&
      v !== null &&
      (typeof (v as { then?: unknown }).then === 'function' || Symbol.asyncIterator in v),
  );
}

/**
 * Status and headers as resolveResponse's initResponse sets them (responseMeta last), then the JSON — as bytes, or
 * Fastify would add `; charset=utf-8` to the content type tRPC sends bare.
 */
function send(
  opts: TrpcOptions,
  reply: FastifyReply,
  info: TRPCRequestInfo,
  ctx: unknown,
  item: { error: unknown } | { result: { data: unknown } },
  error: TRPCError | undefined,
): FastifyReply {
  const call = info.calls[0];
  const config = opts.router._def._config;
  const headers: Record<string, string | string[]> = {
    vary: 'trpc-accept, accept',
    'content-type': 'application/json',
  };
  let status = getHTTPStatusCode([item as never], error ? [error] : []);
  const meta = opts.responseMeta?.({
    ctx: ctx as never,
    info,
    paths: call ? [call.path] : [],
    type: info.type,
    data: [item as never],
    errors: error ? [error] : [],
    eagerGeneration: false,
  });
  if (meta?.headers) {
    const entries: [string, unknown][] = [];
    if (meta.headers instanceof Headers) meta.headers.forEach((value, key) => entries.push([key, value]));
    else entries.push(...Object.entries(meta.headers));
    for (const [key, value] of entries) {
      const name = key.toLowerCase();
      if (Array.isArray(value)) headers[name] = [...[headers[name] ?? []].flat(), ...value.map(String)];
      else if (typeof value === 'string') headers[name] = value;
    }
  }
  if (meta?.status) status = meta.status;
  return reply
    .code(status)
    .headers(headers)
    .send(
      Buffer.from(JSON.stringify(transformTRPCResponse(config, info.isBatchCall ? [item as never] : (item as never)))),
    );
}

/** Registered with a prefix (e.g. `/trpc`), like fastifyTRPCPlugin, whose routes and body parsing it keeps. */
export async function trpcRoutes<TRouter extends AnyTRPCRouter>(
  app: FastifyInstance,
  { trpcOptions }: TrpcRoutesOptions<TRouter>,
): Promise<void> {
  const opts = trpcOptions as TrpcOptions;
  // As fastifyTRPCPlugin: tRPC reads the bodies itself, so this scope's parsers keep them as they came.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.removeContentTypeParser('multipart/form-data');
  app.addContentTypeParser('multipart/form-data', {}, (_req, body, done) => done(null, body));

  app.all<{ Params: { path: string } }>('/:path', async (request, reply) => {
    const { path } = request.params;
    const call = directCallOf(opts, request, path);
    if (call) return answerDirectly(opts, request, reply, call);
    await fastifyRequestHandler({ ...opts, req: request, res: reply, path });
    return reply;
  });
}
