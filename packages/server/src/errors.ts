// One error class for the whole domain, and the one table that maps its codes to tRPC codes, HTTP statuses and
// the REST body shapes of API.md. Services throw AppError; nothing else in the code decides a status.
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

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

  static notFound(message = 'Not found.'): AppError {
    return new AppError('NOT_FOUND', message, { rest: message === 'Not found.' ? 'detail' : 'error+code' });
  }

  static validation(fields: FieldErrors): AppError {
    return new AppError('BAD_REQUEST', 'Invalid input.', { fields });
  }

  static tokenNotValid(message = 'Given token not valid for any token type'): AppError {
    return new AppError('UNAUTHORIZED', message, { rest: 'token' });
  }
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

/** DRF-style bodies for errors born outside our code (framework and adapter errors), by HTTP status. */
export function frameworkErrorMessage(status: number, fallback: string): string {
  switch (status) {
    case 404:
      return 'Not found.';
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
