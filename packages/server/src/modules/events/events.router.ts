import { adminProcedure, authedProcedure, router } from '../../trpc/procedures';
import { ZAvailabilityInput } from './availability.schema';
import {
  ZEvent,
  ZEventCreateInput,
  ZEventDeleted,
  ZEventIdInput,
  ZEventList,
  ZEventListInput,
  ZEventPatchInput,
  ZEventUpdateInput,
} from './events.schema';

const tags = ['events'];
const forbidden = (verb: string) => `Only superuser (admin) can ${verb} events.`;

export const eventsRouter = router({
  list: authedProcedure
    .meta({
      openapi: { method: 'GET', path: '/events/', tags, protect: true, summary: 'Events, by start time, 20 a page.' },
    })
    .input(ZEventListInput)
    .output(ZEventList)
    .query(({ ctx, input }) => ctx.services.events.list(input ?? {}, { listUrl: `${ctx.linkBase}/api/events/` })),

  byId: authedProcedure
    .meta({ openapi: { method: 'GET', path: '/events/{id}/', tags, protect: true, summary: 'One event.' } })
    .input(ZEventIdInput)
    .output(ZEvent)
    .query(({ ctx, input }) => ctx.services.events.get(input.id)),

  /**
   * Live seat counts over server-sent events (tRPC's SSE transport): each event's current Availability at once, then
   * every change. REST clients use GET /api/events/{id}/availability/ (routes/availability-stream.ts): tRPC
   * subscriptions have no OpenAPI form.
   */
  availability: authedProcedure.input(ZAvailabilityInput).subscription(async ({ ctx, input, signal }) => {
    // Subscribed before the stream starts, so a missing event (404) or the process cap (503) is the HTTP status.
    const subscription = await ctx.services.availability.subscribe(input.event_ids);
    return subscription.availabilities(signal);
  }),

  create: adminProcedure
    .meta({
      openapi: { method: 'POST', path: '/events/', tags, protect: true, summary: 'Create an event (admin).' },
      successStatus: 201,
      forbiddenMessage: forbidden('create'),
    })
    .input(ZEventCreateInput)
    .output(ZEvent)
    .mutation(({ ctx, input }) =>
      ctx.services.events.create(input, { actorId: ctx.user.id, requestId: ctx.requestId }),
    ),

  update: adminProcedure
    .meta({
      openapi: { method: 'PUT', path: '/events/{id}/', tags, protect: true, summary: 'Replace an event (admin).' },
      forbiddenMessage: forbidden('update'),
    })
    .input(ZEventUpdateInput)
    .output(ZEvent)
    .mutation(({ ctx, input: { id, ...changes } }) =>
      ctx.services.events.update(id, changes, { actorId: ctx.user.id, requestId: ctx.requestId }),
    ),

  patch: adminProcedure
    .meta({
      openapi: { method: 'PATCH', path: '/events/{id}/', tags, protect: true, summary: 'Change some fields (admin).' },
      forbiddenMessage: forbidden('update'),
    })
    .input(ZEventPatchInput)
    .output(ZEvent)
    .mutation(({ ctx, input: { id, ...changes } }) =>
      ctx.services.events.update(id, changes, { actorId: ctx.user.id, requestId: ctx.requestId }),
    ),

  delete: adminProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/events/{id}/',
        tags,
        protect: true,
        summary: 'Delete an event without live reservations (admin).',
      },
      forbiddenMessage: forbidden('delete'),
    })
    .input(ZEventIdInput)
    .output(ZEventDeleted)
    .mutation(({ ctx, input }) =>
      ctx.services.events.delete(input.id, { actorId: ctx.user.id, requestId: ctx.requestId }),
    ),
});
