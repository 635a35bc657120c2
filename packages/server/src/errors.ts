// Where an error's status and body are decided: the one error class (AppError), the table that maps its codes to
// tRPC codes, HTTP statuses and REST body shapes (CODES), and every function that turns an error into what a client
// receives — a procedure error on either transport, a Fastify error, the 404 of an unknown route, a database failure,
// and the Retry-After header. Services throw AppError; HTTP code calls the functions below and decides nothing itself.
import { getTRPCErrorFromUnknown, TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyError, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { isRetryableDatabaseFailure } from './db/retryable-failure';
import { fieldErrorsFromZod } from './validation';

export type FieldErrors = Record<string, string[]>;

/** How the REST body of an error looks (API.md "Conventions"). */
type RestShape =
  /** {"error": message, "code": CODE} — domain errors. */
  | 'error+code'
  /** {"error": message} — the old login endpoints. */
  | 'error'
  /** {"detail": message} — DRF's own errors: 401, 404, 429, framework errors. */
  | 'detail'
  /** {"detail": message, "code": "token_not_valid"} — simplejwt's token errors. */
  | 'token';

// Each `trpc` code must have this `status` in tRPC's own table (test/errors.test.ts checks): tRPC derives the status
// of a procedure error from the tRPC code, REST takes it from here, and both must agree.
const CODES = {
  BAD_REQUEST: { trpc: 'BAD_REQUEST', status: 400, rest: 'error' },
  UNAUTHORIZED: { trpc: 'UNAUTHORIZED', status: 401, rest: 'detail' },
  FORBIDDEN: { trpc: 'FORBIDDEN', status: 403, rest: 'error+code' },
  NOT_FOUND: { trpc: 'NOT_FOUND', status: 404, rest: 'detail' },
  INSUFFICIENT_CAPACITY: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
  TOO_MANY_ACTIVE_HOLDS: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
  EVENT_HAS_RESERVATIONS: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
  CAPACITY_BELOW_RESERVED: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
  EVENT_NOT_ACTIVE: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
  EVENT_ENDED: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
  INVALID_STATUS: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
  RESERVATION_EXPIRED: { trpc: 'BAD_REQUEST', status: 400, rest: 'error+code' },
  LAST_SUPERUSER: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
  CANNOT_CHANGE_OWN_ACCESS: { trpc: 'CONFLICT', status: 409, rest: 'error+code' },
  IDEMPOTENCY_KEY_REUSED: { trpc: 'UNPROCESSABLE_CONTENT', status: 422, rest: 'error+code' },
  TOO_MANY_REQUESTS: { trpc: 'TOO_MANY_REQUESTS', status: 429, rest: 'detail' },
  BUSY: { trpc: 'SERVICE_UNAVAILABLE', status: 503, rest: 'error+code' },
} as const satisfies Record<string, { trpc: TRPC_ERROR_CODE_KEY; status: number; rest: RestShape }>;

export type AppErrorCode = keyof typeof CODES;
/** DRF's 404 message: the body of every unknown path, id or route. */
export const NOT_FOUND_MESSAGE = 'Not found.';
export const APP_ERROR_CODES = Object.keys(CODES) as AppErrorCode[];

export interface AppErrorOptions {
  /** Field map for validation failures (DRF style). */
  fields?: FieldErrors;
  /** Seconds, sent as Retry-After (429, 503). */
  retryAfter?: number;
  /** Overrides the code's default REST body shape. */
  rest?: RestShape;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly fields: FieldErrors | undefined;
  readonly retryAfter: number | undefined;
  readonly rest: RestShape;

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.fields = options.fields;
    this.retryAfter = options.retryAfter;
    this.rest = options.rest ?? CODES[code].rest;
  }

  get status(): number {
    return CODES[this.code].status;
  }

  get trpcCode(): TRPC_ERROR_CODE_KEY {
    return CODES[this.code].trpc;
  }

  static notFound(message = NOT_FOUND_MESSAGE): AppError {
    return new AppError('NOT_FOUND', message, { rest: message === NOT_FOUND_MESSAGE ? 'detail' : 'error+code' });
  }

  static validation(fields: FieldErrors): AppError {
    return new AppError('BAD_REQUEST', 'Invalid input.', { fields });
  }

  static tokenNotValid(message = 'Given token not valid for any token type'): AppError {
    return new AppError('UNAUTHORIZED', message, { rest: 'token' });
  }
}

/** A database failure that is the client's to retry (lock or statement timeout, lost connection): 503 BUSY. */
export function toAppError(err: unknown): AppError | undefined {
  if (!isRetryableDatabaseFailure(err)) return undefined;
  return new AppError('BUSY', 'The service is busy; retry shortly.', { retryAfter: 1, cause: err });
}

/** The REST body API.md prescribes for an error. */
export function restErrorBody(code: string, message: string, shape: RestShape, fields?: FieldErrors): unknown {
  if (fields) return fields;
  switch (shape) {
    case 'error+code':
      return { error: message, code };
    case 'error':
      return { error: message };
    case 'token':
      return { detail: message, code: 'token_not_valid' };
    case 'detail':
      return { detail: message };
  }
}

/** DRF-style messages for errors born outside our code (framework and adapter errors), by HTTP status. */
export function frameworkErrorMessage(status: number, fallback: string): string {
  switch (status) {
    case 404:
      return NOT_FOUND_MESSAGE;
    case 405:
      return 'Method not allowed.';
    case 413:
      return 'Request body is too large.';
    case 415:
      return 'Unsupported media type in request; send application/json.';
    case 408:
      return 'Request timed out.';
    default:
      return status >= 500 ? 'A server error occurred.' : fallback;
  }
}

/**
 * Sends an error raised outside any procedure (by Fastify, or by a hook before routing) in the shape of the transport
 * the URL belongs to: tRPC's error envelope under /trpc, DRF's {"detail"} elsewhere.
 */
export function sendFrameworkError(url: string, reply: FastifyReply, status: number, message: string): FastifyReply {
  if (url.startsWith('/trpc')) {
    return reply.status(status).send({ error: { message, code: -32600, data: { httpStatus: status } } });
  }
  return reply.status(status).send({ detail: message });
}

/** 405 for a method the path does not serve; `allowed` (the methods it does serve) goes in the Allow header. */
export function sendMethodNotAllowed(
  url: string,
  reply: FastifyReply,
  method: string,
  allowed?: string[],
): FastifyReply {
  if (allowed) void reply.header('allow', allowed.join(', '));
  return sendFrameworkError(url, reply, 405, `Method "${method}" not allowed.`);
}

/** The 404 of a path no route serves (and of an endpoint that does not advertise itself, like a refused /metrics). */
export function sendNotFound(reply: FastifyReply): FastifyReply {
  return reply.status(404).send({ detail: NOT_FOUND_MESSAGE });
}

/** Fastify's error handler: a body parser's or a hook's error, or a bug in a plain route (never echoed). */
export function sendFastifyError(url: string, reply: FastifyReply, error: FastifyError): FastifyReply {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) reply.log.error({ err: error }, 'unhandled error');
  const message =
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
      ? `JSON parse error - ${error.message}`
      : frameworkErrorMessage(status, error.message);
  return sendFrameworkError(url, reply, status, message);
}

/** Errors Fastify raises before routing (a malformed %-escape, an over-long path parameter); never echoes the URL. */
export function sendPreRoutingError(url: string, reply: FastifyReply, error: FastifyError): FastifyReply {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message = status === 414 ? 'Request path is too long.' : 'Malformed request URL.';
  return sendFrameworkError(url, reply, status, message);
}

/** `data` of a tRPC error body. tRPC clients read `appCode`. */
export interface ErrorData {
  code: TRPCError['code'];
  httpStatus: number;
  path?: string;
  /** The API.md code, e.g. INSUFFICIENT_CAPACITY; absent for errors born outside our code. */
  appCode: AppErrorCode | 'INTERNAL_SERVER_ERROR' | string;
  fieldErrors?: FieldErrors;
  retryAfter?: number;
  /** The REST body for this error; only computed outside the tRPC transport. */
  rest?: unknown;
}

const TRPC_TO_APP: Partial<Record<TRPCError['code'], AppErrorCode>> = {
  BAD_REQUEST: 'BAD_REQUEST',
  PARSE_ERROR: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
};

/**
 * The procedures' error middleware: a domain error or a retryable database failure thrown by a service becomes the
 * TRPCError of its code; anything else is left as is (tRPC reports it as a 500).
 */
export function toProcedureError(cause: unknown): TRPCError | undefined {
  const appError = cause instanceof AppError ? cause : toAppError(cause);
  return appError && new TRPCError({ code: appError.trpcCode, message: appError.message, cause: appError });
}

/** What a client is told about a procedure error: message, code, field errors, Retry-After and the REST body. */
export function describeError(error: TRPCError, httpStatus: number) {
  const cause = error.cause;
  if (cause instanceof AppError) {
    return {
      appCode: cause.code as string,
      message: cause.message,
      fieldErrors: cause.fields,
      retryAfter: cause.retryAfter,
      rest: restErrorBody(cause.code, cause.message, cause.rest, cause.fields),
    };
  }
  if (cause instanceof ZodError || (error.code === 'BAD_REQUEST' && cause?.name === 'ZodError')) {
    const fieldErrors = fieldErrorsFromZod(cause as ZodError);
    return { appCode: 'BAD_REQUEST', message: 'Invalid input.', fieldErrors, retryAfter: undefined, rest: fieldErrors };
  }
  // Framework errors (bad JSON, unknown route, oversized body) and bugs: never echo internals.
  const message = frameworkErrorMessage(httpStatus, error.message);
  return {
    appCode: TRPC_TO_APP[error.code] ?? error.code,
    message,
    fieldErrors: undefined,
    retryAfter: undefined,
    rest: { detail: message },
  };
}

/** tRPC's errorFormatter (trpc/init.ts): the error envelope tRPC clients receive. */
export function formatProcedureError<JsonRpcCode extends number>(opts: {
  shape: { code: JsonRpcCode; data: { code: TRPCError['code']; httpStatus: number; path?: string } };
  error: TRPCError;
  transport: 'trpc' | 'rest' | undefined;
}): { message: string; code: JsonRpcCode; data: ErrorData } {
  const { shape, error } = opts;
  const d = describeError(error, shape.data.httpStatus);
  const data: ErrorData = {
    code: shape.data.code,
    httpStatus: shape.data.httpStatus,
    path: shape.data.path,
    appCode: d.appCode,
    ...(d.fieldErrors ? { fieldErrors: d.fieldErrors } : {}),
    ...(d.retryAfter !== undefined ? { retryAfter: d.retryAfter } : {}),
    ...(opts.transport !== 'trpc' ? { rest: d.rest } : {}),
  };
  return { message: d.message, code: shape.code, data };
}

/** Retry-After (seconds) for a failed call: the first error that carries one (429, 503). */
export function retryAfterHeader(errors: readonly TRPCError[]): Record<string, string> | undefined {
  const retryAfter = errors
    .map((e) => (e.cause instanceof AppError ? e.cause.retryAfter : undefined))
    .find((s) => s !== undefined);
  return retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined;
}

export interface RestError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The REST answer to a procedure error: status, Retry-After and the body of API.md. */
export function restErrorOf(error: TRPCError): RestError {
  const status = error.cause instanceof AppError ? error.cause.status : getHTTPStatusCodeFromError(error);
  return { status, headers: retryAfterHeader([error]) ?? {}, body: describeError(error, status).rest };
}

/**
 * Sends the REST answer to a procedure call that failed outside the adapter (a route that calls a procedure through
 * tRPC's server-side caller): what the adapter sends, with its content type (no charset), the body serialized once.
 */
export function sendRestProcedureError(reply: FastifyReply, err: unknown): FastifyReply {
  const error = getTRPCErrorFromUnknown(err);
  if (error.code === 'INTERNAL_SERVER_ERROR') reply.log.error({ err: error.cause ?? error }, 'unhandled error');
  const { status, headers, body } = restErrorOf(error);
  return reply.status(status).headers(headers).header('content-type', 'application/json').send(JSON.stringify(body));
}

/**
 * Sends the REST answer to an error of a plain Fastify route (the CSV export, the SSE stream): a domain error or a
 * retryable database failure. Anything else is rethrown to Fastify's error handler (a 500 that echoes nothing).
 */
export function sendRestError(reply: FastifyReply, err: unknown): FastifyReply {
  const appError = err instanceof AppError ? err : toAppError(err);
  if (!appError) throw err;
  if (appError.retryAfter !== undefined) reply.header('retry-after', String(appError.retryAfter));
  return reply
    .status(appError.status)
    .send(restErrorBody(appError.code, appError.message, appError.rest, appError.fields));
}
