// Graceful drain of a listening API process: /readyz fails first, requests keep being served (each with
// `Connection: close`, so keep-alive clients move to another process), the in-flight ones finish, long-lived
// streams registered with onDrain end when the listener closes, and only then does close() resolve.
import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { QueryTypes, type Transaction } from 'sequelize';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { drainAndClose } from '../src/plugins/drain';
import { createEvent, createUser, testEnv, type Harness } from './support/harness';
import { startRuntime, type Runtime } from '../src/runtime';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a keep-alive agent, so the test sees what a proxy holding connections open would see. */
function request(
  agent: http.Agent,
  base: string,
  path: string,
  opts: { method?: string; body?: unknown; token?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      `${base}${path}`,
      {
        agent,
        method: opts.method ?? 'GET',
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let rt: Runtime | undefined;
let app: FastifyInstance | undefined;
let agent: http.Agent | undefined;
afterEach(async () => {
  agent?.destroy();
  await app?.close();
  await rt?.close();
  rt = undefined;
  app = undefined;
});

async function listening(opts: { extraRoutes?: (app: FastifyInstance) => void } = {}) {
  const config = loadConfig(testEnv());
  rt = await startRuntime(config, { log: { info: () => undefined, warn: () => undefined }, migrate: false });
  app = await buildApp(rt);
  opts.extraRoutes?.(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const h = { app, rt, config, close: async () => undefined } satisfies Harness;
  return { h, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

describe('graceful drain', () => {
  it('fails /readyz at once, keeps serving with Connection: close during the delay, then stops accepting', async () => {
    const { base } = await listening();
    const before = await request(agent!, base, '/readyz');
    expect(before.status).toBe(200);
    expect(before.headers.connection).not.toBe('close');

    let closed = false;
    const closing = drainAndClose(app!, { delayMs: 600 }).then(() => (closed = true));
    const ready = await request(agent!, base, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'draining' });
    // Still served during the delay, on connections the server then closes.
    const health = await request(agent!, base, '/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.connection).toBe('close');
    expect(closed).toBe(false);

    await closing;
    await expect(request(new http.Agent(), base, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('lets a request in flight when the drain starts finish with its real answer', async () => {
    const { h, base } = await listening();
    const user = await createUser(h);
    const event = await createEvent(h, { capacity: 5 });
    // Hold the event's row lock so the hold below is in flight (waiting inside its transaction) when the drain starts.
    const blocker = await rt!.sequelize.transaction();
    try {
      await rt!.sequelize.query('SELECT id FROM events WHERE id = :id FOR UPDATE', {
        replacements: { id: event.id },
        transaction: blocker,
      });
      const hold = request(agent!, base, '/api/reservations/create_hold/', {
        method: 'POST',
        token: user.access,
        body: { event_id: event.id },
      });
      await waitFor(async () => (await waitersOn(blocker)) > 0);
      const closing = drainAndClose(app!, { delayMs: 0 });
      await new Promise((r) => setTimeout(r, 200));
      await blocker.commit();
      const answer = await hold;
      expect(answer.status).toBe(201);
      await closing;
    } finally {
      await blocker.rollback().catch(() => undefined);
    }
  });

  it('serves a request that arrives while the app is closing but still listening, not a 503', async () => {
    const { base } = await listening();
    // The onDrain hooks run after Fastify marks itself closing and before the listener closes: a request a proxy
    // sends in that window (a new connection, the listener still accepts) must get its real answer.
    let during: Answer | undefined;
    app!.drain.onDrain(async () => {
      during = await request(new http.Agent(), base, '/healthz');
    });
    await drainAndClose(app!, { delayMs: 0 });
    expect(during?.status).toBe(200);
    expect(during?.headers.connection).toBe('close');
  });

  it('ends long-lived streams through onDrain hooks when the listener closes, so close() completes', async () => {
    const ended: string[] = [];
    const { base } = await listening({
      extraRoutes: (a) => {
        a.get('/test-stream', (request, reply) => {
          reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
          reply.raw.write(': open\n\n');
          const unregister = a.drain.onDrain(() => {
            ended.push('stream');
            reply.raw.end('event: bye\ndata: {}\n\n');
          });
          request.raw.on('close', unregister);
          return reply;
        });
      },
    });
    const streamed = await new Promise<string>((resolve, reject) => {
      http
        .get(`${base}/test-stream`, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
            if (body === ': open\n\n') void drainAndClose(app!, { delayMs: 100 });
          });
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
    expect(streamed).toContain('event: bye');
    expect(ended).toEqual(['stream']);
  });
});

/** Backends waiting on a lock the given transaction holds (other test files share the database). */
async function waitersOn(blocker: Transaction): Promise<number> {
  const rows = await rt!.sequelize.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))`,
    { type: QueryTypes.SELECT, replacements: { holder: await backendPid(blocker) } },
  );
  return rows[0]?.n ?? 0;
}

async function backendPid(transaction: Transaction): Promise<number> {
  const rows = await rt!.sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', {
    type: QueryTypes.SELECT,
    transaction,
  });
  return rows[0]!.pid;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
