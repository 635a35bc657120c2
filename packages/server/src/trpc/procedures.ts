// The base procedures every router builds on. One middleware turns domain and database errors into TRPCErrors
// (so services never import tRPC); authedProcedure narrows ctx.user; adminProcedure requires a superuser.
import { AppError, toProcedureError } from '../errors';
import { t } from './init';

const convertErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const converted = toProcedureError(result.error.cause);
    if (converted) throw converted;
  }
  return result;
});

/** Why a string cannot be stored as sent, or undefined when it can. */
function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'Null characters are not allowed.';
  // A UTF-16 surrogate without its pair is not a character: PostgreSQL refuses it in jsonb (the audit entry's
  // before/after) and text would store U+FFFD in its place. Refused instead of stored altered.
  if (LONE_SURROGATE.test(value)) return 'Unpaired surrogate characters are not allowed.';
  return undefined;
}

/** In a `u` regular expression, \p{Cs} matches only surrogates that are not half of a pair. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The path of the first string in an input that cannot be stored as sent, with the reason (iterative: inputs can
 * be nested thousands deep).
 */
function unstorableField(input: unknown): [string, string] | undefined {
  const stack: [unknown, string][] = [[input, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const reason = unstorableText(value);
      if (reason) return [path || 'non_field_errors', reason];
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) stack.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return undefined;
}

/**
 * U+0000 cannot be stored in PostgreSQL text; Sequelize rewrites it to the two characters "\0", which alters the
 * value and can overflow a varchar. Refused like DRF did ("Null characters are not allowed."), and so are unpaired
 * surrogates (see unstorableText).
 */
const refuseUnstorableText = t.middleware(async ({ getRawInput, next }) => {
  const found = unstorableField(await getRawInput());
  if (found) throw AppError.validation(Object.fromEntries([[found[0], [found[1]]]]));
  return next();
});

export const router = t.router;
export const publicProcedure = t.procedure.use(convertErrors).use(refuseUnstorableText);

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const { user, session } = await ctx.services.auth.authenticateSession(ctx.authorization);
  return next({ ctx: { ...ctx, user, session } });
});

export const adminProcedure = authedProcedure.use(({ ctx, meta, next }) => {
  if (!ctx.user.isSuperuser) {
    throw new AppError('FORBIDDEN', meta?.forbiddenMessage ?? 'You do not have permission to perform this action.');
  }
  return next({ ctx });
});

/** Sign-in endpoints: a per-IP attempt limit before anything else runs. */
export const authAttemptProcedure = publicProcedure.use(async ({ ctx, next }) => {
  await ctx.limitAuthAttempt('sign-in');
  return next();
});

/** Registration: the sign-in limit plus a per-IP limit on new accounts (REGISTRATIONS_PER_IP_PER_HOUR). */
export const registrationProcedure = publicProcedure.use(async ({ ctx, next }) => {
  await ctx.limitAuthAttempt('registration');
  return next();
});
