// The request log: one line per request (method, path, status, milliseconds; the request id as reqId) instead of Fastify's two
// multi-line entries, and the development format that the API and the worker share when they run in one process.
// Health, readiness and metrics polls that succeed are logged at debug only: a start's readiness loop or a
// scraper would otherwise bury the lines that matter. Credentials never reach a line: the Authorization header is not
// logged at all, and query values whose names look secret are masked (the API takes no token in a URL, but a
// client may still send one).
import fp from 'fastify-plugin';
import { prettyFactory } from 'pino-pretty';

const POLLS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);
const SECRET_PARAM = /token|secret|pass|key|auth|code|refresh|access|jwt|session|sig/i;

/** Fields of a request line that its message already says; the development format leaves them out. */
const LINE_FIELDS = ['method', 'path', 'status', 'ms'];

/** pino-pretty's settings for development: one line per entry, the same for the API's and the worker's logs. */
export const DEVELOPMENT_LOG_FORMAT = {
  singleLine: true,
  translateTime: 'HH:MM:ss.l',
  ignore: ['pid', 'hostname', ...LINE_FIELDS].join(','),
};

/** The URL as logged: the path, and the query with the values of secret-looking parameters masked. */
export function loggedPath(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = [...new URLSearchParams(url.slice(q + 1))]
    .map(([k, v]) => `${encodeURIComponent(k)}=${SECRET_PARAM.test(k) ? '***' : encodeURIComponent(v)}`)
    .join('&');
  return query ? `${url.slice(0, q)}?${query}` : url.slice(0, q);
}

/** Logs each request once, when its response has been sent. Fastify's own request logging must be off. */
export const requestLogPlugin = fp(
  async (app) => {
    app.addHook('onResponse', async (request, reply) => {
      // originalUrl: the REST adapter rewrites request.url (it strips /api).
      const path = loggedPath(request.originalUrl);
      const status = reply.statusCode;
      const ms = Math.round(reply.elapsedTime * 10) / 10;
      const poll = POLLS.has(path.split('?')[0] ?? '') && status < 400;
      const level = poll ? 'debug' : status >= 500 ? 'error' : 'info';
      request.log[level]({ method: request.method, path, status, ms }, `${request.method} ${path} ${status} ${ms} ms`);
    });
  },
  { name: 'request-log' },
);

/** A writer of JSON log lines (the worker's logger) that prints them in the API's development format. */
export function developmentLogWriter(out: (text: string) => void = (t) => process.stdout.write(t)) {
  const format = prettyFactory(DEVELOPMENT_LOG_FORMAT);
  return (line: string) => out(format(line));
}
