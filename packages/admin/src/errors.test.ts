import { describe, expect, it } from 'vitest';
import { describeError, errorCode, fieldErrorsOf } from './errors';

/** The shape a tRPC client error has on the wire side: the server's code in data.appCode. */
function refusal(appCode: string, message = 'server words'): Error {
  return Object.assign(new Error(message), { name: 'TRPCClientError', data: { appCode, httpStatus: 409 } });
}

describe('refusals in plain words', () => {
  it('explains what to do instead for the refusals an admin meets', () => {
    expect(describeError(refusal('EVENT_HAS_RESERVATIONS'))).toMatch(/Deactivate it instead/);
    expect(describeError(refusal('LAST_SUPERUSER'))).toMatch(/last active superuser/);
    expect(describeError(refusal('CANNOT_CHANGE_OWN_ACCESS'))).toMatch(/your own account/);
    expect(errorCode(refusal('LAST_SUPERUSER'))).toBe('LAST_SUPERUSER');
  });

  it('falls back to the server’s message, and names an unreachable server', () => {
    expect(describeError(refusal('SOMETHING_NEW', 'A new refusal.'))).toBe('A new refusal.');
    expect(describeError(new TypeError('Failed to fetch'))).toBe('The server cannot be reached.');
    expect(describeError('??')).toBe('Something went wrong.');
  });

  it('has no field errors for an error without a field map', () => {
    expect(fieldErrorsOf(refusal('BAD_REQUEST'))).toEqual({});
  });
});
