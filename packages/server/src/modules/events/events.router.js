"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.eventsRouter = void 0;
const procedures_1 = require("../../trpc/procedures");
const events_schema_1 = require("./events.schema");
const tags = ['events'];
const forbidden = (verb) => `Only superuser (admin) can ${verb} events.`;
exports.eventsRouter = (0, procedures_1.router)({
    list: procedures_1.authedProcedure
        .meta({
        openapi: { method: 'GET', path: '/events/', tags, protect: true, summary: 'Events, by start time, 20 a page.' },
    })
        .input(events_schema_1.ZEventListInput)
        .output(events_schema_1.ZEventList)
        .query(({ ctx, input }) => ctx.services.events.list(input ?? {}, { listUrl: `${ctx.origin}/api/events/` })),
    byId: procedures_1.authedProcedure
        .meta({ openapi: { method: 'GET', path: '/events/{id}/', tags, protect: true, summary: 'One event.' } })
        .input(events_schema_1.ZEventIdInput)
        .output(events_schema_1.ZEvent)
        .query(({ ctx, input }) => ctx.services.events.get(input.id)),
    create: procedures_1.adminProcedure
        .meta({
        openapi: { method: 'POST', path: '/events/', tags, protect: true, summary: 'Create an event (admin).' },
        successStatus: 201,
        forbiddenMessage: forbidden('create'),
    })
        .input(events_schema_1.ZEventCreateInput)
        .output(events_schema_1.ZEvent)
        .mutation(({ ctx, input }) => ctx.services.events.create(input, { actorId: ctx.user.id, requestId: ctx.requestId })),
    update: procedures_1.adminProcedure
        .meta({
        openapi: { method: 'PUT', path: '/events/{id}/', tags, protect: true, summary: 'Replace an event (admin).' },
        forbiddenMessage: forbidden('update'),
    })
        .input(events_schema_1.ZEventUpdateInput)
        .output(events_schema_1.ZEvent)
        .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.events.update(id, changes, { actorId: ctx.user.id, requestId: ctx.requestId })),
    patch: procedures_1.adminProcedure
        .meta({
        openapi: { method: 'PATCH', path: '/events/{id}/', tags, protect: true, summary: 'Change some fields (admin).' },
        forbiddenMessage: forbidden('update'),
    })
        .input(events_schema_1.ZEventPatchInput)
        .output(events_schema_1.ZEvent)
        .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.events.update(id, changes, { actorId: ctx.user.id, requestId: ctx.requestId })),
    delete: procedures_1.adminProcedure
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
        .input(events_schema_1.ZEventIdInput)
        .output(events_schema_1.ZEventDeleted)
        .mutation(({ ctx, input }) => ctx.services.events.delete(input.id, { actorId: ctx.user.id, requestId: ctx.requestId })),
});
