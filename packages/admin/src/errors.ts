// What the screens say when the API refuses: the SDK's typed errors (HoldfastError) turned into plain sentences,
// with the refusals an admin meets explained in terms of what to do instead.
import { isHoldfastError, type FieldErrors } from '@holdfast/sdk';

/** Codes the contract adds for the back office beyond the SDK's list (e.g. LAST_SUPERUSER). */
function codeOf(err: unknown): string | undefined {
  if (isHoldfastError(err)) return err.code;
  const data = (err as { data?: { appCode?: unknown } } | null)?.data;
  return typeof data?.appCode === 'string' ? data.appCode : undefined;
}

const EXPLANATIONS: Record<string, string> = {
  EVENT_HAS_RESERVATIONS:
    'This event still has held or confirmed reservations, so it cannot be deleted. Deactivate it instead: nobody can book it any more and nothing is lost.',
  CAPACITY_BELOW_RESERVED: 'The capacity cannot go below the seats already held and confirmed.',
  LAST_SUPERUSER:
    'This is the last active superuser: without it nobody could run the back office. Make another user a superuser first.',
  CANNOT_CHANGE_OWN_ACCESS:
    'You cannot deactivate or demote your own account (you would lock yourself out). Ask another admin to do it.',
  RESERVATION_EXPIRED: 'This hold has already lapsed, so it can no longer be extended.',
  INVALID_STATUS: 'The reservation is no longer in a status that allows this (someone or the clock got there first).',
  FORBIDDEN: 'Your account is not allowed to do this.',
  BUSY: 'The server is busy with this event right now. Try again in a moment.',
  TOO_MANY_REQUESTS: 'Too many attempts. Wait a little and try again.',
  NOT_FOUND: 'It no longer exists (it may have been deleted).',
};

export function errorCode(err: unknown): string | undefined {
  return codeOf(err);
}

export function describeError(err: unknown): string {
  const code = codeOf(err);
  if (code && EXPLANATIONS[code]) return EXPLANATIONS[code];
  if (err instanceof Error) {
    if (err.message === 'Failed to fetch' || err.name === 'TypeError') return 'The server cannot be reached.';
    return err.message;
  }
  return 'Something went wrong.';
}

/** Validation messages per field (BAD_REQUEST with a field map), or an empty map. */
export function fieldErrorsOf(err: unknown): FieldErrors {
  if (isHoldfastError(err) && err.fieldErrors) return err.fieldErrors;
  return {};
}
