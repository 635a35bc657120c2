// The request log: one line per request with method, path, status, milliseconds and request id; successful health,
// readiness and metrics polls only at debug; no credential in any line; and in development the worker's JSON lines
// print in the API's own one-line format.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { developmentLogWriter, loggedPath } from '../src/plugins/request-log';
import { createHarness, createUser, rest, trpc, type Harness, type TestUser } from './support/harness';

const lines: string[] = [];
let h: Harness;
let alice: TestUser;

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  h = await createHarness({}, { logger: { logger: { level: 'info', stream } } });
  alice = await createUser(h);
});
afterAll(() => h.close());

const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('request log', () => {
  it('writes one line per request, and nothing for successful polls', async () => {
    lines.length = 0;
    await rest(h, 'GET', '/healthz');
    await rest(h, 'GET', '/readyz');
    await rest(h, 'GET', '/metrics');
    const list = await rest(h, 'GET', '/api/events/?page=1', {
      token: alice.access,
      headers: { 'x-request-id': 'r-list' },
    });
    const missing = await rest(h, 'GET', '/api/events/999999999/', { token: alice.access });
    await trpc(h, 'query', 'auth.me', undefined, alice.access);
    expect(list.status).toBe(200);
    const logged = entries();
    expect(logged.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'GET /api/events/?page=1 200',
      'GET /api/events/999999999/ 404',
      'GET /trpc/auth.me 200',
    ]);
    expect(logged[0]).toMatchObject({
      reqId: 'r-list',
      ms: expect.any(Number),
      msg: expect.stringMatching(/^GET \/api\/events\/\?page=1 200 [\d.]+ ms$/),
    });
    expect(logged[1]!.reqId).toBe(missing.headers['x-request-id']);
    expect(lines.join('\n')).not.toMatch(/incoming request|request completed/);
  });

  it('logs a poll that did not succeed', async () => {
    lines.length = 0;
    await rest(h, 'GET', '/healthz?verbose=1');
    await rest(h, 'POST', '/healthz');
    expect(entries().map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual(['POST /healthz 404']);
  });

  it('never writes a credential: no Authorization header, secret-looking query values masked', async () => {
    lines.length = 0;
    const token = alice.access;
    await rest(h, 'GET', `/api/events/?access_token=${token}&page=1&api_key=k-123`, { token });
    await rest(h, 'POST', '/api/token/', { body: { username: alice.username, password: 'Wr0ng-and-secret' } });
    const text = lines.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain('k-123');
    expect(text).not.toContain('Wr0ng-and-secret');
    expect(entries().map((e) => e.path)).toEqual(['/api/events/?access_token=***&page=1&api_key=***', '/api/token/']);
    expect(loggedPath('/a?refresh=x&q=concert')).toBe('/a?refresh=***&q=concert');
  });
});

describe('development format', () => {
  it('prints the worker JSON lines and the API request lines alike, one line each', () => {
    const out: string[] = [];
    const write = developmentLogWriter((t) => out.push(t));
    write(
      `${JSON.stringify({ level: 30, time: 0, pid: 1, hostname: 'vm', name: 'holdfast-worker', msg: 'expired 2 holds', expired: 2 })}\n`,
    );
    write(
      `${JSON.stringify({ level: 30, time: 0, pid: 1, hostname: 'vm', reqId: 'r1', method: 'GET', path: '/api/events/', status: 200, ms: 1.5, msg: 'GET /api/events/ 200 1.5 ms' })}\n`,
    );
    expect(out).toHaveLength(2);
    for (const line of out) expect(line.trimEnd()).not.toContain('\n');
    // eslint-disable-next-line no-control-regex
    const plain = out.map((l) => l.replace(/\u001b\[[\d;]*m/g, '').trimEnd());
    expect(plain[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(holdfast-worker\): expired 2 holds \{"expired":2\}$/);
    expect(plain[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/api\/events\/ 200 1\.5 ms \{"reqId":"r1"\}$/);
  });
});
