"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.buildApp = buildApp;
// buildApp: a ready Fastify instance with tRPC at /trpc, REST at /api, health endpoints, security headers and
// CORS. No listening here (main.ts does that), so tests build it in-process.
const node_crypto_1 = require("node:crypto");
const cors_1 = __importDefault(require("@fastify/cors"));
const rate_limit_1 = __importDefault(require("@fastify/rate-limit"));
const swagger_1 = __importDefault(require("@fastify/swagger"));
const swagger_ui_1 = __importDefault(require("@fastify/swagger-ui"));
const fastify_1 = require("@trpc/server/adapters/fastify");
const helmet_1 = __importDefault(require("helmet"));
const fastify_2 = __importDefault(require("fastify"));
const database_1 = require("./db/database");
const errors_1 = require("./errors");
const admin_export_1 = require("./http/admin-export");
const response_meta_1 = require("./http/response-meta");
const rest_1 = require("./http/rest");
const metrics_1 = require("./metrics");
const openapi_1 = require("./openapi");
const router_1 = require("./router");
const context_1 = require("./trpc/context");
const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Deeper JSON is refused: the REST adapter re-serialises bodies recursively and overflows the stack near 4000. */
const MAX_JSON_DEPTH = 64;
function jsonDepthExceeds(text, max) {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            // A backslash escapes the next character; a quote ends the string.
            if (c === 0x5c)
                i++;
            else if (c === 0x22)
                inString = false;
        }
        else if (c === 0x22)
            inString = true;
        else if (c === 0x5b || c === 0x7b) {
            if (++depth > max)
                return true;
        }
        else if (c === 0x5d || c === 0x7d)
            depth--;
    }
    return false;
}
function loggerOptions(config) {
    return {
        level: config.logLevel,
        // Credentials never reach the logs: request bodies are not logged, and these headers are masked.
        redact: ['req.headers.authorization', 'req.headers.cookie'],
        ...(config.env === 'development'
            ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
            : {}),
    };
}
/** An error raised by Fastify itself (not a procedure), in the body shape of the transport the URL belongs to. */
function sendFrameworkError(url, reply, status, message) {
    if (url.startsWith('/trpc')) {
        return reply.status(status).send({ error: { message, code: -32600, data: { httpStatus: status } } });
    }
    return reply.status(status).send({ detail: message });
}
async function buildApp(deps, opts = {}) {
    const { config, services, sequelize } = deps;
    const app = (0, fastify_2.default)({
        logger: opts.logger ?? loggerOptions(config),
        bodyLimit: config.bodyLimitBytes,
        requestTimeout: config.requestTimeoutMs,
        connectionTimeout: config.requestTimeoutMs,
        trustProxy: config.env === 'production' ? 'loopback,uniquelocal' : false,
        genReqId: (req) => {
            const given = req.headers['x-request-id'];
            return typeof given === 'string' && REQUEST_ID.test(given) ? given : (0, node_crypto_1.randomUUID)();
        },
        routerOptions: { maxParamLength: 200 },
        // Errors Fastify raises before routing (a malformed %-escape, an over-long path parameter): API.md bodies, not
        // Fastify's default (which echoes the URL).
        frameworkErrors: (error, request, reply) => {
            const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
            const message = status === 414 ? 'Request path is too long.' : 'Malformed request URL.';
            return sendFrameworkError(request.url, reply, status, message);
        },
    });
    // An empty JSON body is an empty object (DRF accepted `POST .../cancel/` with no body); everything else goes
    // through Fastify's parser, which rejects __proto__/constructor keys.
    const defaultJson = app.getDefaultJsonParser('error', 'error');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
        if (typeof body === 'string' && body.trim() === '')
            return done(null, {});
        if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
            return done(Object.assign(new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 }), undefined);
        }
        return defaultJson(req, body, done);
    });
    // Security headers. The middleware is built once: @fastify/helmet rebuilds it (parsing the CSP) on every request,
    // which was 8-10 % of the CPU of every route under load.
    const securityHeaders = (0, helmet_1.default)({
        // The docs page loads its own scripts and styles from this origin only.
        contentSecurityPolicy: {
            directives: {
                defaultSrc: ["'self'"],
                scriptSrc: ["'self'", "'unsafe-inline'"],
                styleSrc: ["'self'", "'unsafe-inline'"],
                imgSrc: ["'self'", 'data:'],
                connectSrc: ["'self'"],
            },
        },
    });
    app.addHook('onRequest', (request, reply, done) => {
        securityHeaders(request.raw, reply.raw, (error) => done(error instanceof Error ? error : undefined));
    });
    await app.register(cors_1.default, {
        origin: config.corsOrigins === '*' ? true : [...config.corsOrigins],
        credentials: false,
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'trpc-accept'],
        exposedHeaders: ['Retry-After', 'X-Request-Id'],
    });
    await app.register(rate_limit_1.default, { global: false });
    const checkAttempt = app.createRateLimit({
        max: config.loginIpMaxPerMinute,
        timeWindow: 60_000,
        keyGenerator: (req) => `auth:${req.ip}`,
    });
    const limiter = async (req) => {
        const verdict = await checkAttempt(req);
        if (!verdict.isAllowed && verdict.isExceeded) {
            const retryAfter = Math.max(verdict.ttlInSeconds, 1);
            throw new errors_1.AppError('TOO_MANY_REQUESTS', `Request was throttled. Expected available in ${retryAfter} seconds.`, {
                retryAfter,
            });
        }
    };
    app.addHook('onSend', async (request, reply, payload) => {
        reply.header('x-request-id', request.id);
        // tRPC hands Fastify a Response; the JSON errors it raises before a procedure runs (415, a batch mixing
        // queries and mutations) are labelled text/plain.
        if (payload instanceof Response && payload.headers.get('content-type')?.startsWith('text/plain')) {
            payload.headers.set('content-type', 'application/json');
        }
    });
    // The REST adapter rewrites request.url (it strips /api); originalUrl is captured on first read, so read it now.
    app.addHook('onRequest', async (request) => {
        void request.originalUrl;
    });
    app.addHook('onResponse', async (request, reply) => {
        metrics_1.httpDuration.observe({
            method: request.method,
            route: (0, metrics_1.routeLabel)(request.originalUrl, !request.is404),
            status: String(reply.statusCode),
        }, reply.elapsedTime / 1000);
    });
    app.addHook('onClose', async () => unwatchPool());
    const unwatchPool = (0, metrics_1.watchPool)(sequelize);
    app.setErrorHandler((error, request, reply) => {
        const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
        if (status >= 500)
            request.log.error({ err: error }, 'unhandled error');
        const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
            ? `JSON parse error - ${error.message}`
            : (0, errors_1.frameworkErrorMessage)(status, error.message);
        return sendFrameworkError(request.url, reply, status, message);
    });
    app.setNotFoundHandler((_request, reply) => reply.status(404).send({ detail: 'Not found.' }));
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/metrics', async (_request, reply) => {
        return reply.type(metrics_1.registry.contentType).send(await metrics_1.registry.metrics());
    });
    app.get('/readyz', async (_request, reply) => {
        const ok = await (0, database_1.pingDatabase)(sequelize);
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', database: ok ? 'up' : 'down' });
    });
    await app.register(fastify_1.fastifyTRPCPlugin, {
        prefix: '/trpc',
        trpcOptions: {
            router: router_1.appRouter,
            createContext: (0, context_1.contextFactory)(services, 'trpc', limiter),
            responseMeta: (0, response_meta_1.responseMetaFor)(router_1.appRouter, { successStatus: false }),
            onError: ({ error, req }) => {
                if (error.code === 'INTERNAL_SERVER_ERROR')
                    req.log.error({ err: error.cause ?? error }, 'unhandled error');
            },
        },
    });
    // The API reference: the OpenAPI document and an interactive page, both served from npm assets (offline).
    const document = (0, openapi_1.buildOpenApiDocument)('/api');
    app.get('/api/openapi.json', async () => document);
    await app.register(swagger_1.default, { mode: 'static', specification: { document: document } });
    await app.register(swagger_ui_1.default, {
        routePrefix: '/api/docs',
        staticCSP: true,
        uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
    });
    // Before the REST adapter's /api/* catch-all (a static route wins over it either way; this keeps it readable).
    await app.register(admin_export_1.adminExportPlugin, { services });
    await app.register(rest_1.restPlugin, { prefix: '/api', services, limiter, bodyLimit: config.bodyLimitBytes });
    return app;
}
