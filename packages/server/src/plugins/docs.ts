// The API reference: the OpenAPI document at /api/openapi.json and an interactive page at /api/docs, both served from
// npm assets (no other origin), and both built from the procedures' own meta and schemas (src/openapi.ts).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import { buildOpenApiDocument } from '../openapi';

export const docsPlugin: FastifyPluginAsync<{ maxHoldQuantity: number }> = async (app, opts) => {
  const document = buildOpenApiDocument('/api', { maxHoldQuantity: opts.maxHoldQuantity });
  app.get('/api/openapi.json', async () => document);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true, persistAuthorization: true },
  });
};
