// The base procedures every router builds on. One middleware turns domain and database errors into TRPCErrors
// (so services never import tRPC); authedProcedure narrows ctx.user; adminProcedure requires a superuser.
import { toAppError } from '../db/database-errors';
import { AppError } from '../errors';
import type { AuthUser } from './context';
import { t, TRPCError } from './init';

const convertErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const appError = result.error.cause instanceof AppError ? result.error.cause : toAppError(result.error.cause);
    if (appError) throw new TRPCError({ code: appError.trpcCode, message: appError.message, cause: appError });
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(convertErrors);

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const user: AuthUser = await ctx.services.auth.authenticate(ctx.authorization);
  return next({ ctx: { ...ctx, user } });
});

export const adminProcedure = authedProcedure.use(({ ctx, meta, next }) => {
  if (!ctx.user.isSuperuser) {
    throw new AppError('FORBIDDEN', meta?.forbiddenMessage ?? 'You do not have permission to perform this action.');
  }
  return next({ ctx });
});

/** Sign-in endpoints: a per-IP attempt limit before anything else runs. */
export const authAttemptProcedure = publicProcedure.use(async ({ ctx, next }) => {
  await ctx.limitAuthAttempt();
  return next();
});
