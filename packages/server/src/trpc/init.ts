// The tRPC instance: context and meta types, and the error formatter — the single place where any error becomes
// the shape both transports send (tRPC clients read `data.appCode`; the REST layer reads `data.rest`).
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { AppError, frameworkErrorMessage, restErrorBody, type AppErrorCode, type FieldErrors } from '../errors';
import { fieldErrorsFromZod } from '../validation';
import type { Context } from './context';
import type { Meta } from './meta';

/** Heartbeat interval of tRPC subscription streams (REST streams use LIVE_HEARTBEAT_MS). */
export const SSE_PING_MS = 15_000;

export type { Meta };

export interface ErrorData {
  code: TRPCError['code'];
  httpStatus: number;
  path?: string;
  /** The API.md code, e.g. INSUFFICIENT_CAPACITY; absent for errors born outside our code. */
  appCode: AppErrorCode | 'INTERNAL_SERVER_ERROR' | string;
  fieldErrors?: FieldErrors;
  retryAfter?: number;
  /** The REST body for this error; only computed for the REST transport. */
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

export const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Subscriptions (events.availability) stream over server-sent events; the ping comment keeps proxies and idle
    // timeouts from closing a quiet stream, and tells the client to reconnect if it stops arriving.
    sse: {
      ping: { enabled: true, intervalMs: SSE_PING_MS },
      client: { reconnectAfterInactivityMs: SSE_PING_MS * 3 },
    },
    errorFormatter({ shape, error, ctx }) {
      const d = describeError(error, shape.data.httpStatus);
      const data: ErrorData = {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        appCode: d.appCode,
        ...(d.fieldErrors ? { fieldErrors: d.fieldErrors } : {}),
        ...(d.retryAfter !== undefined ? { retryAfter: d.retryAfter } : {}),
        ...(ctx?.transport !== 'trpc' ? { rest: d.rest } : {}),
      };
      return { message: d.message, code: shape.code, data };
    },
  });

export { TRPCError };
