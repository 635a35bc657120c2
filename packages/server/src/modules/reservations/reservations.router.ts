import { z } from 'zod';
import { authedProcedure, router } from '../../trpc/procedures';
import {
  ZCancelInput,
  ZConfirmInput,
  ZCreateHoldInput,
  ZReservation,
  ZReservationIdInput,
  ZReservationList,
  ZReservationListInput,
} from './reservations.schema';

const tags = ['reservations'];
const requestHeaders = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .meta({ description: 'Repeats with the same key within 24 h return the first result without acting again.' }),
});

export const reservationsRouter = router({
  list: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/reservations/',
        tags,
        protect: true,
        summary: 'My reservations, newest first.',
      },
    })
    .input(ZReservationListInput)
    .output(ZReservationList)
    .query(({ ctx, input }) =>
      ctx.services.reservations.list(ctx.user, input?.page ?? 1, { listUrl: `${ctx.linkBase}/api/reservations/` }),
    ),

  byId: authedProcedure
    .meta({
      openapi: { method: 'GET', path: '/reservations/{id}/', tags, protect: true, summary: 'One of my reservations.' },
    })
    .input(ZReservationIdInput)
    .output(ZReservation)
    .query(({ ctx, input }) => ctx.services.reservations.get(ctx.user, input.id)),

  createHold: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/reservations/create_hold/',
        requestHeaders,
        tags,
        protect: true,
        summary: 'Hold seats for HOLD_TTL_SECONDS (default 5 minutes).',
      },
      successStatus: 201,
    })
    .input(ZCreateHoldInput)
    .output(ZReservation)
    .mutation(({ ctx, input }) =>
      ctx.services.reservations.createHold(ctx.user, input, input.idempotency_key ?? ctx.idempotencyKey, {
        requestId: ctx.requestId,
      }),
    ),

  confirm: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/reservations/confirm/',
        requestHeaders,
        tags,
        protect: true,
        summary: 'Make a hold permanent.',
      },
    })
    .input(ZConfirmInput)
    .output(ZReservation)
    .mutation(({ ctx, input }) =>
      ctx.services.reservations.confirm(ctx.user, input, input.idempotency_key ?? ctx.idempotencyKey, {
        requestId: ctx.requestId,
      }),
    ),

  cancel: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/reservations/{id}/cancel/',
        requestHeaders,
        tags,
        protect: true,
        summary: 'Cancel a hold or a confirmed reservation; frees its seats.',
      },
    })
    .input(ZCancelInput)
    .output(ZReservation)
    .mutation(({ ctx, input }) =>
      ctx.services.reservations.cancel(ctx.user, input, input.idempotency_key ?? ctx.idempotencyKey, {
        requestId: ctx.requestId,
      }),
    ),
});
