// buildApp: a ready Fastify instance with tRPC at /trpc, REST at /api, health endpoints, security headers and
// CORS. No listening here (main.ts does that), so tests build it in-process.
import { randomUUID, timingSafeEqual } from 'node:crypto';
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
import type { ClientConfig } from 'pg';
import type { Sequelize } from 'sequelize';
import type { Config } from './config';
import { pingDatabase } from './db/database';
import { AppError, frameworkErrorMessage } from './errors';
import { sendFrameworkError } from './http/framework-error';
import { registerMethodGuard } from './http/method-guard';
import { adminExportPlugin } from './http/admin-export';
import { registerAvailabilityStream } from './http/availability-stream';
import { installDrain } from './http/drain';
import { DEVELOPMENT_LOG_FORMAT, logRequests } from './http/request-log';
import { responseMetaFor } from './http/response-meta';
import { adminUiPlugin } from './http/admin-ui';
import { routeLabelOf } from './http/route-table';
import { restPlugin } from './http/rest';
import { httpDuration, registry, watchPool } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { appRouter, type AppRouter } from './router';
import type { Services } from './services';
import { contextFactory, type AuthAttemptLimiter } from './trpc/context';

export interface AppDeps {
  config: Config;
  services: Services;
  sequelize: Sequelize;
  /** The database URL (Runtime has it); the live-availability listener opens its own connection with it. */
  databaseUrl?: string;
}

export interface AppOptions {
  /** Replaces the pino logger settings (tests pass a stream to capture logs). */
  logger?: FastifyServerOptions['logger'];
  /** Reconnect backoff of the live-availability listener (tests shorten it). */
  liveBackoffMs?: { min: number; max: number };
}

/** Where the dedicated LISTEN connection goes: the same database as the pool, outside the pool. */
function listenerConnection(deps: AppDeps): ClientConfig {
  if (deps.databaseUrl) return { connectionString: deps.databaseUrl };
  const c = deps.sequelize.config;
  return {
    host: c.host,
    port: Number(c.port),
    user: c.username,
    database: c.database,
    ...(c.password ? { password: c.password } : {}),
  };
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

/**
 * /metrics tells anyone who reads it about traffic, errors and capacity: with METRICS_TOKEN set it needs
 * `Authorization: Bearer <METRICS_TOKEN>`; without, it is open in development and test and off in production.
 * Refusals look like any unknown path (404), so the endpoint is not advertised.
 */
function metricsReadableBy(config: Config, authorization: string | undefined): boolean {
  if (config.metricsToken === undefined) return config.env !== 'production';
  const expected = Buffer.from(`Bearer ${config.metricsToken}`);
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
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
    // On close, idle keep-alive sockets are closed at once and busy ones after their response; a request that
    // reached the process before the listener closed is served, not refused with a bare 503 that a proxy cannot
    // retry for a POST (see http/drain.ts).
    forceCloseConnections: 'idle',
    return503OnClosing: false,
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
  registerMethodGuard(app);
  await app.register(rateLimit, { global: false });
  const checkAttempt = app.createRateLimit({
    max: config.loginIpMaxPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => `auth:${req.ip}`,
  });
  // Accounts are free to create, and each may hold seats: new accounts per client IP are limited on their own.
  const checkRegistration = app.createRateLimit({
    max: config.registrationsPerIpPerHour,
    timeWindow: 3_600_000,
    keyGenerator: (req) => `register:${req.ip}`,
  });
  const limiter: AuthAttemptLimiter = async (req, kind) => {
    for (const check of kind === 'registration' ? [checkAttempt, checkRegistration] : [checkAttempt]) {
      const verdict = await check(req);
      if (!verdict.isAllowed && verdict.isExceeded) {
        const retryAfter = Math.max(verdict.ttlInSeconds, 1);
        throw new AppError('TOO_MANY_REQUESTS', `Request was throttled. Expected available in ${retryAfter} seconds.`, {
          retryAfter,
        });
      }
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
  const drain = installDrain(app);
  // The REST adapter rewrites request.url (it strips /api); originalUrl is captured on first read, so read it now.
  app.addHook('onRequest', async (request) => {
    void request.originalUrl;
  });
  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      {
        method: request.method,
        route: routeLabelOf(
          request.originalUrl.split('?')[0] ?? '',
          request.is404 ? undefined : request.routeOptions.url,
        ),
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  logRequests(app);
  app.addHook('onClose', async () => unwatchPool());
  const unwatchPool = watchPool(sequelize);

  // Live availability: one LISTEN connection per process. Its streams are closed before the server stops
  // accepting (preClose), or app.close() would wait forever for them; a SIGTERM drain gets this through app.close().
  await services.availability.start({
    connection: listenerConnection(deps),
    log: app.log,
    ...(opts.liveBackoffMs ? { minBackoffMs: opts.liveBackoffMs.min, maxBackoffMs: opts.liveBackoffMs.max } : {}),
  });
  app.addHook('preClose', async () => services.availability.close());

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
  app.get('/metrics', async (request, reply) => {
    if (!metricsReadableBy(config, request.headers.authorization)) {
      return reply.status(404).send({ detail: 'Not found.' });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/readyz', async (_request, reply) => {
    if (drain.draining) return reply.status(503).send({ status: 'draining' });
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
  const document = buildOpenApiDocument('/api', { maxHoldQuantity: config.maxHoldQuantity });
  app.get('/api/openapi.json', async () => document);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
  });

  await app.register(adminUiPlugin, { dir: config.adminUiDir });
  // Before the REST adapter's /api/* catch-all (a static route wins over it either way; this keeps it readable).
  await app.register(adminExportPlugin, { services });
  registerAvailabilityStream(app, services);
  await app.register(restPlugin, {
    prefix: '/api',
    services,
    limiter,
    bodyLimit: config.bodyLimitBytes,
    linkBase: config.publicUrl ?? '',
  });
  return app;
}
