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

/** The path of the first string holding U+0000 in an input (iterative: inputs can be nested thousands deep). */
function nulCharField(input: unknown): string | undefined {
  const stack: [unknown, string][] = [[input, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path || 'non_field_errors';
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) stack.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return undefined;
}

/**
 * U+0000 cannot be stored in PostgreSQL text; Sequelize rewrites it to the two characters "\0", which alters the
 * value and can overflow a varchar. Refused like DRF did ("Null characters are not allowed.").
 */
const refuseNulChars = t.middleware(async ({ getRawInput, next }) => {
  const field = nulCharField(await getRawInput());
  if (field) throw AppError.validation(Object.fromEntries([[field, ['Null characters are not allowed.']]]));
  return next();
});

export const router = t.router;
export const publicProcedure = t.procedure.use(convertErrors).use(refuseNulChars);

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
