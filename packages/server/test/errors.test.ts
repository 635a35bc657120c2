// src/errors.ts decides every status: the REST transport takes it from the CODES table, tRPC derives it from the
// tRPC code the table names. These must agree, or one error would answer two statuses.
import { describe, expect, it } from '@jest/globals';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { APP_ERROR_CODES, AppError, restErrorOf } from '../src/errors';

describe('the error table', () => {
  it.each(APP_ERROR_CODES)('gives %s the same status on both transports', (code) => {
    const error = new AppError(code, 'message');
    const procedureError = new TRPCError({ code: error.trpcCode, message: error.message, cause: error });
    expect(getHTTPStatusCodeFromError(procedureError)).toBe(error.status);
    expect(restErrorOf(procedureError).status).toBe(error.status);
  });

  it('sends Retry-After with the REST answer of an error that carries one', () => {
    const busy = new AppError('BUSY', 'The service is busy; retry shortly.', { retryAfter: 1 });
    const answer = restErrorOf(new TRPCError({ code: busy.trpcCode, message: busy.message, cause: busy }));
    expect(answer).toEqual({
      status: 503,
      headers: { 'retry-after': '1' },
      body: { error: 'The service is busy; retry shortly.', code: 'BUSY' },
    });
  });
});
