"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.authRouter = void 0;
const zod_1 = require("zod");
const procedures_1 = require("../../trpc/procedures");
const auth_schema_1 = require("./auth.schema");
const tags = ['auth'];
exports.authRouter = (0, procedures_1.router)({
    register: procedures_1.authAttemptProcedure
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
        .input(auth_schema_1.ZRegisterInput)
        .output(auth_schema_1.ZRegisterOutput)
        .mutation(({ ctx, input }) => ctx.services.auth.register(input, { requestId: ctx.requestId })),
    login: procedures_1.authAttemptProcedure
        .meta({
        openapi: {
            method: 'POST',
            path: '/auth/users/login/',
            tags,
            protect: false,
            summary: 'Sign in: user and tokens.',
        },
    })
        .input(auth_schema_1.ZLoginInput)
        .output(auth_schema_1.ZLoginOutput)
        .mutation(({ ctx, input }) => ctx.services.auth.login(input, { requestId: ctx.requestId })),
    token: procedures_1.authAttemptProcedure
        .meta({
        openapi: {
            method: 'POST',
            path: '/token/',
            tags,
            protect: false,
            summary: 'Obtain an access/refresh token pair.',
        },
    })
        .input(auth_schema_1.ZTokenInput)
        .output(auth_schema_1.ZTokenPair)
        .mutation(({ ctx, input }) => ctx.services.auth.obtainToken(input, { requestId: ctx.requestId })),
    refresh: procedures_1.publicProcedure
        .meta({
        openapi: {
            method: 'POST',
            path: '/token/refresh/',
            tags,
            protect: false,
            summary: 'Rotate a refresh token: new pair, the old one is blacklisted.',
        },
    })
        .input(auth_schema_1.ZRefreshInput)
        .output(auth_schema_1.ZRefreshOutput)
        .mutation(({ ctx, input }) => ctx.services.auth.refresh(input.refresh, { requestId: ctx.requestId })),
    logout: procedures_1.authedProcedure
        .meta({
        openapi: {
            method: 'POST',
            path: '/auth/users/logout/',
            tags,
            protect: true,
            summary: 'Blacklist a refresh token (or all of them with all_devices).',
        },
    })
        .input(auth_schema_1.ZLogoutInput)
        .output(auth_schema_1.ZMessage)
        .mutation(({ ctx, input }) => ctx.services.auth.logout(ctx.user, input)),
    me: procedures_1.authedProcedure
        .meta({ openapi: { method: 'GET', path: '/auth/users/me/', tags, protect: true, summary: 'The signed-in user.' } })
        .input(zod_1.z.void())
        .output(auth_schema_1.ZUser)
        .query(({ ctx }) => ctx.services.auth.me(ctx.user)),
});
