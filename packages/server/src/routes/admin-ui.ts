// The web back office (packages/admin) served at /admin/: hashed assets cached for a year, index.html never cached,
// every other path under /admin/ answered with index.html so deep links survive a reload. Its pages get a stricter
// CSP than the API docs: scripts and styles from this origin only, no inline code, no other origin at all.
// Without a build of the back office the API starts as usual and /admin/ is simply not there.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { sendNotFound } from '../errors';

export interface AdminUiOptions {
  /** The built back office (the folder holding index.html); undefined → looked up next to the server. */
  dir: string | undefined;
}

export const ADMIN_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed file names never change content, so browsers may keep them for a year without asking again. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A path whose last segment has an extension names a file: a missing one is a 404, not the app shell. */
const LOOKS_LIKE_FILE = /\/[^/]+\.[a-z0-9]+$/i;

/**
 * Where the back office's build is: the configured folder, else the installed `@holdfast/admin` package, else the
 * workspace sibling (packages/admin/dist seen from packages/server/{src,dist}/routes). Undefined when none is built.
 */
export function locateAdminUi(configured: string | undefined): string | undefined {
  if (configured) return path.resolve(configured);
  const candidates: string[] = [];
  try {
    candidates.push(path.join(path.dirname(require.resolve('@holdfast/admin/package.json')), 'dist'));
  } catch {
    // Not installed as a package: a workspace checkout, tried next.
  }
  candidates.push(path.resolve(__dirname, '../../../admin/dist'));
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

export const adminUiPlugin: FastifyPluginAsync<AdminUiOptions> = async (app: FastifyInstance, opts) => {
  const root = locateAdminUi(opts.dir);
  const indexFile = root && path.join(root, 'index.html');
  if (!root || !indexFile || !existsSync(indexFile)) {
    if (opts.dir) app.log.warn({ dir: opts.dir }, 'ADMIN_UI_DIR has no index.html: the back office is not served');
    else app.log.info('the back office is not built (pnpm build): /admin/ is not served');
    return;
  }
  const shell = readFileSync(indexFile);

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', ADMIN_UI_CSP);
    return payload;
  });

  // One route per built file (wildcard: false), so the catch-all below only sees paths that are not files.
  await app.register(fastifyStatic, {
    root,
    prefix: '/admin/',
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders(res, filePath) {
      const inAssets = path.relative(path.join(root, 'assets'), filePath);
      const hashed = !inAssets.startsWith('..') && !path.isAbsolute(inAssets);
      res.setHeader('cache-control', hashed ? IMMUTABLE : 'no-cache');
    },
  });

  const sendShell = (reply: { header: (k: string, v: string) => unknown; type: (t: string) => unknown }) => {
    reply.header('cache-control', 'no-cache');
    reply.type('text/html; charset=utf-8');
    return shell;
  };
  app.get('/admin', (_request, reply) => reply.redirect('/admin/', 301));
  app.get('/admin/', (_request, reply) => sendShell(reply));
  app.get('/admin/*', (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    if (LOOKS_LIKE_FILE.test(pathname)) return sendNotFound(reply);
    return sendShell(reply);
  });
};
