// docs/API.md against the OpenAPI document the server serves: every REST operation the server has is documented, and
// every route documented in a section marked `<!-- api-doc: served -->` exists. Sections marked
// `<!-- api-doc: not served yet -->` describe work in progress: their routes are not required to exist yet (and turn
// the second check strict by changing the marker once they are served).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { buildOpenApiDocument } from '../src/openapi';
import { createHarness, type Harness } from './support/harness';

const API_DOC = path.resolve(__dirname, '../../../docs/API.md');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const ROUTE = /`(GET|POST|PUT|PATCH|DELETE) (\/api\/[^`\s]*)`/g;

interface DocSection {
  title: string;
  served: boolean | undefined;
  routes: string[];
}

/** The `## ` sections of a markdown text, each with its marker and the REST routes it names (`METHOD /api/...`). */
function docSections(markdown: string): DocSection[] {
  return markdown
    .split(/^## /m)
    .slice(1)
    .map((chunk) => {
      const title = chunk.slice(0, chunk.indexOf('\n')).trim();
      const marker = /<!-- api-doc: (served|not served yet) -->/.exec(chunk)?.[1];
      return {
        title,
        served: marker === undefined ? undefined : marker === 'served',
        routes: [...chunk.matchAll(ROUTE)].map((m) => `${m[1]} ${m[2]}`),
      };
    });
}

/** Every REST operation of the OpenAPI document as `METHOD /api/path/`. */
function openApiRoutes(): string[] {
  const doc = buildOpenApiDocument('/api');
  return Object.entries(doc.paths ?? {}).flatMap(([p, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m] !== undefined).map((m) => `${m.toUpperCase()} /api${p}`),
  );
}

/**
 * The documented routes Fastify serves itself, outside the OpenAPI adapter (the CSV export, the SSE stream): asked of
 * a built app, so a route that is removed or renamed is missing here too.
 */
function routesServedBeside(app: FastifyInstance, sections: DocSection[], openApi: string[]): string[] {
  const known = new Set(openApi);
  return sections
    .flatMap((s) => s.routes)
    .filter((r) => !known.has(r))
    .filter((r) => {
      const [method, url] = r.split(' ') as [HTTPMethods, string];
      return app.hasRoute({ method, url: url.replace(/\{(\w+)\}/g, ':$1') });
    });
}

/** What is missing on each side, given the documented sections and the served routes. */
function mismatches(sections: DocSection[], served: string[]) {
  const documented = new Set(sections.flatMap((s) => s.routes));
  const servedSet = new Set(served);
  return {
    undocumented: served.filter((r) => !documented.has(r)),
    documentedButMissing: sections.filter((s) => s.served).flatMap((s) => s.routes.filter((r) => !servedSet.has(r))),
  };
}

describe('docs/API.md', () => {
  const sections = docSections(readFileSync(API_DOC, 'utf8'));
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('documents every REST operation of the OpenAPI document, and every route it marks served exists', () => {
    const openApi = openApiRoutes();
    expect(openApi.length).toBeGreaterThanOrEqual(16);
    const beside = routesServedBeside(h.app, sections, openApi);
    expect(beside).toEqual(
      expect.arrayContaining(['GET /api/events/{id}/availability/', 'GET /api/admin/reservations/export.csv']),
    );
    const served = [...openApi, ...beside];
    expect(mismatches(sections, served)).toEqual({ undocumented: [], documentedButMissing: [] });
  });

  it('marks every section that lists routes as served or not served yet', () => {
    const unmarked = sections.filter((s) => s.routes.length > 0 && s.served === undefined).map((s) => s.title);
    expect(unmarked).toEqual([]);
    expect(sections.filter((s) => s.served).map((s) => s.title)).toEqual(
      expect.arrayContaining([
        'Authentication',
        'Events',
        'Reservations',
        'Live availability',
        'Back office (superusers only)',
      ]),
    );
  });

  it('negative control: a route missing on either side is reported', () => {
    const openApi = openApiRoutes();
    const served = [...openApi, ...routesServedBeside(h.app, sections, openApi)];
    const withoutCancel = sections.map((s) => ({
      ...s,
      routes: s.routes.filter((r) => r !== 'POST /api/reservations/{id}/cancel/'),
    }));
    expect(mismatches(withoutCancel, served).undocumented).toEqual(['POST /api/reservations/{id}/cancel/']);
    const extra = sections.map((s) => (s.title === 'Events' ? { ...s, routes: [...s.routes, 'GET /api/nope/'] } : s));
    expect(mismatches(extra, served).documentedButMissing).toEqual(['GET /api/nope/']);
    // A route of a section not served yet is not required to exist.
    const planned = sections.map((s) =>
      s.title === 'Events' ? { ...s, served: false, routes: [...s.routes, 'GET /api/nope/'] } : s,
    );
    expect(mismatches(planned, served).documentedButMissing).toEqual([]);
  });
});
