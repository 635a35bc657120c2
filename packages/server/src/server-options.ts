// The options of the Fastify instance buildApp creates: logging, limits, timeouts, the request id, proxy trust, and
// how connections close. Options Fastify takes only at construction, so they cannot be a plugin.
import Fastify, { LogController, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { Config } from './config';
import { sendPreRoutingError } from './errors';
import { requestIdOf } from './plugins/request-id';
import { DEVELOPMENT_LOG_FORMAT } from './plugins/request-log';

function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    // Credentials never reach the logs: request bodies are not logged, and these headers are masked.
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    ...(config.env === 'development' ? { transport: { target: 'pino-pretty', options: DEVELOPMENT_LOG_FORMAT } } : {}),
  };
}

/** A Fastify instance configured for this API, with no plugins or routes yet. */
export function createServer(config: Config, logger: FastifyServerOptions['logger'] | undefined) {
  return Fastify({
    logger: logger ?? loggerOptions(config),
    // One line per request instead (plugins/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    trustProxy: config.env === 'production' ? 'loopback,uniquelocal' : false,
    genReqId: requestIdOf,
    routerOptions: { maxParamLength: 200 },
    // On close, idle keep-alive sockets are closed at once and busy ones after their response; a request that
    // reached the process before the listener closed is served, not refused with a bare 503 that a proxy cannot
    // retry for a POST (see plugins/drain.ts).
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // Errors Fastify raises before routing: API.md bodies, not Fastify's default (which echoes the URL).
    frameworkErrors: (error, request, reply) =>
      sendPreRoutingError(request.url, reply as unknown as FastifyReply, error),
  });
}
