"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.restPlugin = restPlugin;
const trpc_to_openapi_1 = require("trpc-to-openapi");
const router_1 = require("../router");
const context_1 = require("../trpc/context");
const event_list_fast_path_1 = require("./event-list-fast-path");
const response_meta_1 = require("./response-meta");
async function restPlugin(api, opts) {
    // DRF accepted a POST without a body (e.g. cancel); the adapter insists on a JSON content type.
    api.addHook('preHandler', async (request) => {
        if ((request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') &&
            !request.headers['content-type']) {
            request.headers['content-type'] = 'application/json';
        }
    });
    // The most polled read skips the adapter when it can answer 200 (see event-list-fast-path.ts).
    api.addHook('preHandler', (0, event_list_fast_path_1.eventListFastPath)(opts.services));
    api.addHook('onSend', async (_request, reply, payload) => {
        if (reply.statusCode < 400 || typeof payload !== 'string')
            return payload;
        try {
            const body = JSON.parse(payload);
            if (body.data && 'rest' in body.data)
                return JSON.stringify(body.data.rest);
        }
        catch {
            // Not JSON from the adapter: leave it.
        }
        return payload;
    });
    await api.register(trpc_to_openapi_1.fastifyTRPCOpenApiPlugin, {
        basePath: '/',
        router: router_1.appRouter,
        createContext: (0, context_1.contextFactory)(opts.services, 'rest', opts.limiter),
        responseMeta: (0, response_meta_1.responseMetaFor)(router_1.appRouter, { successStatus: true }),
        maxBodySize: opts.bodyLimit,
        onError: ({ error, req }) => {
            if (error.code === 'INTERNAL_SERVER_ERROR') {
                req.log.error({ err: error.cause ?? error }, 'unhandled error');
            }
        },
    });
}
