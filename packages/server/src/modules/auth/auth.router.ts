import { z } from 'zod';
import { authAttemptProcedure, authedProcedure, publicProcedure, router } from '../../trpc/procedures';
import {
  ZLoginInput,
  ZLoginOutput,
  ZLogoutInput,
  ZMessage,
  ZRefreshInput,
  ZRefreshOutput,
  ZRegisterInput,
  ZRegisterOutput,
  ZTokenInput,
  ZTokenPair,
  ZUser,
} from './auth.schema';

const tags = ['auth'];

export const authRouter = router({
  register: authAttemptProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/users/register/',
        tags,
        protect: false,
        summary: 'Create an account (no tokens).',
      },
      successStatus: 201,
    })
    .input(ZRegisterInput)
    .output(ZRegisterOutput)
    .mutation(({ ctx, input }) => ctx.services.auth.register(input, { requestId: ctx.requestId })),

  login: authAttemptProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/users/login/',
        tags,
        protect: false,
        summary: 'Sign in: user and tokens.',
      },
    })
    .input(ZLoginInput)
    .output(ZLoginOutput)
    .mutation(({ ctx, input }) => ctx.services.auth.login(input, { requestId: ctx.requestId })),

  token: authAttemptProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/token/',
        tags,
        protect: false,
        summary: 'Obtain an access/refresh token pair.',
      },
    })
    .input(ZTokenInput)
    .output(ZTokenPair)
    .mutation(({ ctx, input }) => ctx.services.auth.obtainToken(input, { requestId: ctx.requestId })),

  refresh: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/token/refresh/',
        tags,
        protect: false,
        summary: 'Rotate a refresh token: new pair, the old one is blacklisted.',
      },
    })
    .input(ZRefreshInput)
    .output(ZRefreshOutput)
    .mutation(({ ctx, input }) => ctx.services.auth.refresh(input.refresh, { requestId: ctx.requestId })),

  logout: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/users/logout/',
        tags,
        protect: true,
        summary: 'Blacklist a refresh token (or all of them with all_devices).',
      },
    })
    .input(ZLogoutInput)
    .output(ZMessage)
    .mutation(({ ctx, input }) => ctx.services.auth.logout(ctx.user, input)),

  me: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/users/me/', tags, protect: true, summary: 'The signed-in user.' } })
    .input(z.void())
    .output(ZUser)
    .query(({ ctx }) => ctx.services.auth.me(ctx.user)),
});
