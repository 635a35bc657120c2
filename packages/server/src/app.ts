// buildApp: a ready Fastify instance with tRPC at /trpc, REST at /api, health endpoints, security headers and
// CORS. No listening here (main.ts does that), so tests build it in-process.
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import helmet from 'helmet';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import type { Sequelize } from 'sequelize';
import type { Config } from './config';
import { pingDatabase } from './db/database';
import { AppError, frameworkErrorMessage } from './errors';
import { DEVELOPMENT_LOG_FORMAT, logRequests } from './http/request-log';
import { responseMetaFor } from './http/response-meta';
import { restPlugin } from './http/rest';
import { httpDuration, registry, routeLabel, watchPool } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { appRouter, type AppRouter } from './router';
import type { Services } from './services';
import { contextFactory, type AuthAttemptLimiter } from './trpc/context';

export interface AppDeps {
  config: Config;
  services: Services;
  sequelize: Sequelize;
}

export interface AppOptions {
  /** Replaces the pino logger settings (tests pass a stream to capture logs). */
  logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Deeper JSON is refused: the REST adapter re-serialises bodies recursively and overflows the stack near 4000. */
const MAX_JSON_DEPTH = 64;

function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    // Credentials never reach the logs: request bodies are not logged, and these headers are masked.
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    ...(config.env === 'development' ? { transport: { target: 'pino-pretty', options: DEVELOPMENT_LOG_FORMAT } } : {}),
  };
}

/** An error raised by Fastify itself (not a procedure), in the body shape of the transport the URL belongs to. */
function sendFrameworkError(url: string, reply: FastifyReply, status: number, message: string): FastifyReply {
  if (url.startsWith('/trpc')) {
    return reply.status(status).send({ error: { message, code: -32600, data: { httpStatus: status } } });
  }
  return reply.status(status).send({ detail: message });
}

export async function buildApp(deps: AppDeps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { config, services, sequelize } = deps;
  const app = Fastify({
    logger: opts.logger ?? loggerOptions(config),
    // One line per request instead (http/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    trustProxy: config.env === 'production' ? 'loopback,uniquelocal' : false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    // Errors Fastify raises before routing (a malformed %-escape, an over-long path parameter): API.md bodies, not
    // Fastify's default (which echoes the URL).
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      const message = status === 414 ? 'Request path is too long.' : 'Malformed request URL.';
      return sendFrameworkError(request.url, reply as unknown as FastifyReply, status, message);
    },
  });

  // An empty JSON body is an empty object (DRF accepted `POST .../cancel/` with no body); everything else goes
  // through Fastify's parser, which rejects __proto__/constructor keys.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      return done(
        Object.assign(new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 }),
        undefined,
      );
    }
    return defaultJson(req, body as string, done);
  });

  // Security headers. The middleware is built once: @fastify/helmet rebuilds it (parsing the CSP) on every request,
  // which was 8-10 % of the CPU of every route under load.
  const securityHeaders = helmet({
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
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
  await app.register(cors, {
    origin: config.corsOrigins === '*' ? true : [...config.corsOrigins],
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'trpc-accept'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
  });
  await app.register(rateLimit, { global: false });
  const checkAttempt = app.createRateLimit({
    max: config.loginIpMaxPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => `auth:${req.ip}`,
  });
  const limiter: AuthAttemptLimiter = async (req) => {
    const verdict = await checkAttempt(req);
    if (!verdict.isAllowed && verdict.isExceeded) {
      const retryAfter = Math.max(verdict.ttlInSeconds, 1);
      throw new AppError('TOO_MANY_REQUESTS', `Request was throttled. Expected available in ${retryAfter} seconds.`, {
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
    httpDuration.observe(
      {
        method: request.method,
        route: routeLabel(request.originalUrl, !request.is404),
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  logRequests(app);
  app.addHook('onClose', async () => unwatchPool());
  const unwatchPool = watchPool(sequelize);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    const message =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? `JSON parse error - ${error.message}`
        : frameworkErrorMessage(status, error.message);
    return sendFrameworkError(request.url, reply, status, message);
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ detail: 'Not found.' }));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/readyz', async (_request, reply) => {
    const ok = await pingDatabase(sequelize);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', database: ok ? 'up' : 'down' });
  });

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: contextFactory(services, 'trpc', limiter, config.publicUrl ?? ''),
      responseMeta: responseMetaFor(appRouter, { successStatus: false }),
      onError: ({ error, req }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error }, 'unhandled error');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  // The API reference: the OpenAPI document and an interactive page, both served from npm assets (offline).
  const document = buildOpenApiDocument('/api');
  app.get('/api/openapi.json', async () => document);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
  });

  await app.register(restPlugin, {
    prefix: '/api',
    services,
    limiter,
    bodyLimit: config.bodyLimitBytes,
    linkBase: config.publicUrl ?? '',
  });
  return app;
}
