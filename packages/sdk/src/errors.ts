// Typed errors: every error the server answers with a documented code (API.md) reaches the caller as a
// HoldfastError, a TRPCClientError that also carries that code, the HTTP status and the validation field map.
import { TRPCClientError } from '@trpc/client';
import type { HoldfastRouter } from './router';

/**
 * The machine codes of API.md. Declared here rather than imported: the SDK must not load server code.
 * A type test asserts this list equals the server's `AppErrorCode`.
 */
export const HOLDFAST_ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INSUFFICIENT_CAPACITY',
  'TOO_MANY_ACTIVE_HOLDS',
  'EVENT_HAS_RESERVATIONS',
  'CAPACITY_BELOW_RESERVED',
  'EVENT_NOT_ACTIVE',
  'EVENT_ENDED',
  'INVALID_STATUS',
  'RESERVATION_EXPIRED',
  'LAST_SUPERUSER',
  'CANNOT_CHANGE_OWN_ACCESS',
  'IDEMPOTENCY_KEY_REUSED',
  'TOO_MANY_REQUESTS',
  'BUSY',
] as const;

export type HoldfastErrorCode = (typeof HOLDFAST_ERROR_CODES)[number];

/** Field name → messages, for validation failures (`BAD_REQUEST`), e.g. `{ quantity: ['Ensure this value ...'] }`. */
export type FieldErrors = Record<string, string[]>;

/** An error the server answered with one of the documented codes. */
export interface HoldfastError extends TRPCClientError<HoldfastRouter> {
  readonly code: HoldfastErrorCode;
  /** The HTTP status the server answered with (e.g. 409 for INSUFFICIENT_CAPACITY). */
  readonly status: number;
  /** Present on validation failures: which input fields were wrong and why. */
  readonly fieldErrors: FieldErrors | undefined;
  /** Seconds to wait before trying again (TOO_MANY_REQUESTS, BUSY). */
  readonly retryAfter: number | undefined;
}

const codes: ReadonlySet<string> = new Set(HOLDFAST_ERROR_CODES);

export function isHoldfastErrorCode(value: unknown): value is HoldfastErrorCode {
  return typeof value === 'string' && codes.has(value);
}

/**
 * Whether `err` is an error the Holdfast server answered with a documented code. Errors without a server answer
 * (network failures, aborted calls) and undocumented server errors (a 500) are plain `TRPCClientError`s.
 */
export function isHoldfastError(err: unknown): err is HoldfastError {
  // Structural rather than `instanceof`, so errors from a second copy of the SDK (ESM next to CJS) still qualify.
  if (!(err instanceof Error) || err.name !== 'TRPCClientError') return false;
  const e = err as Partial<Record<keyof HoldfastError, unknown>>;
  return isHoldfastErrorCode(e.code) && typeof e.status === 'number';
}

/** Adds `code`, `status`, `fieldErrors` and `retryAfter` to a client error that carries a documented code. */
export function toHoldfastError<T extends TRPCClientError<HoldfastRouter>>(err: T): T {
  const data = err.data;
  if (!data || !isHoldfastErrorCode(data.appCode) || isHoldfastError(err)) return err;
  // The same error object, so stack and cause stay intact; TRPCClientError resets its prototype on construction,
  // which rules out a subclass.
  Object.defineProperties(err, {
    code: { value: data.appCode, enumerable: true },
    status: { value: data.httpStatus, enumerable: true },
    fieldErrors: { value: data.fieldErrors, enumerable: true },
    retryAfter: { value: data.retryAfter, enumerable: true },
  });
  return err;
}

/** A 401: the access token is missing, expired or revoked. */
export function isUnauthorized(err: unknown): boolean {
  return err instanceof TRPCClientError && (err.data?.httpStatus === 401 || err.data?.code === 'UNAUTHORIZED');
}
