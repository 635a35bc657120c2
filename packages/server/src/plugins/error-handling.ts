// Fastify's error and not-found handlers, for every route (fastify-plugin: set on the root context). What they send
// is decided in src/errors.ts; procedure errors never get here (each transport answers its own).
import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { sendFastifyError, sendNotFound } from '../errors';

export const errorHandlingPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => sendFastifyError(request.url, reply, error));
    app.setNotFoundHandler((_request, reply) => sendNotFound(reply));
  },
  { name: 'error-handling' },
);
