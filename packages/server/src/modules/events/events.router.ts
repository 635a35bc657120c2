import { adminProcedure, authedProcedure, router } from '../../trpc/procedures';
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

  create: adminProcedure
    .meta({
      openapi: { method: 'POST', path: '/events/', tags, protect: true, summary: 'Create an event (admin).' },
      successStatus: 201,
      forbiddenMessage: forbidden('create'),
    })
    .input(ZEventCreateInput)
    .output(ZEvent)
    .mutation(({ ctx, input }) => ctx.services.events.create(input)),

  update: adminProcedure
    .meta({
      openapi: { method: 'PUT', path: '/events/{id}/', tags, protect: true, summary: 'Replace an event (admin).' },
      forbiddenMessage: forbidden('update'),
    })
    .input(ZEventUpdateInput)
    .output(ZEvent)
    .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.events.update(id, changes)),

  patch: adminProcedure
    .meta({
      openapi: { method: 'PATCH', path: '/events/{id}/', tags, protect: true, summary: 'Change some fields (admin).' },
      forbiddenMessage: forbidden('update'),
    })
    .input(ZEventPatchInput)
    .output(ZEvent)
    .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.events.update(id, changes)),

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
    .mutation(({ ctx, input }) => ctx.services.events.delete(input.id)),
});
