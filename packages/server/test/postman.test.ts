// The contract test: docs/holdfast.postman_collection.json, run by newman against the real app on a real port,
// the way a REST client would use the API. Every request of the collection must run and every assertion pass.
// A second run with a wrong admin password is the negative control: the collection's assertions really bite.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { PASSWORD, createHarness, createUser, rest, type Harness, type TestUser } from './support/harness';
import { listen } from './support/isolated';

const COLLECTION_FILE = path.resolve(__dirname, '../../../docs/holdfast.postman_collection.json');

interface CollectionItem {
  name: string;
  item?: CollectionItem[];
}

let h: Harness;
let admin: TestUser;
let baseUrl: string;
let collection: { item: CollectionItem[] };
let requestNames: string[];

beforeAll(async () => {
  collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8')) as { item: CollectionItem[] };
  const flatten = (items: CollectionItem[]): string[] => items.flatMap((i) => (i.item ? flatten(i.item) : [i.name]));
  requestNames = flatten(collection.item);
  // The collection demonstrates strict refresh rotation (a reuse right after rotating is refused and revokes), as its
  // requests' descriptions say: no reuse grace window here.
  h = await createHarness({ REFRESH_REUSE_GRACE_SECONDS: '0' });
  baseUrl = await listen(h);
  admin = await createUser(h, { admin: true });
});
afterAll(() => h.close());

function runCollection(adminPassword: string): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: collection as never,
        envVar: [
          { key: 'baseUrl', value: baseUrl },
          { key: 'adminUsername', value: admin.username },
          { key: 'adminPassword', value: adminPassword },
        ],
        reporters: [],
        timeoutRequest: 30_000,
        timeoutScript: 10_000,
      },
      (err, summary) => (err ? reject(err) : resolve(summary)),
    );
  });
}

/** One line per failure: where it happened and why, for a readable jest diff. */
function describeFailures(summary: NewmanRunSummary): string[] {
  return summary.run.failures.map((f) => {
    const execution = summary.run.executions.find((e) => e.item.name === f.source?.name);
    const response = execution?.response as { code?: number; text?: () => string } | undefined;
    const answered = response ? ` <- ${response.code} ${(response.text?.() ?? '').slice(0, 300)}` : '';
    return `${f.source?.name ?? '(collection)'} [${f.at}] ${f.error.test ?? ''}: ${f.error.message}${answered}`;
  });
}

describe('docs/holdfast.postman_collection.json', () => {
  it('is a Postman v2.1 collection with the documented variables', () => {
    const raw = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8'));
    expect(raw.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    const vars = Object.fromEntries((raw.variable as { key: string; value: string }[]).map((v) => [v.key, v.value]));
    expect(vars).toMatchObject({
      baseUrl: 'http://localhost:8000',
      adminUsername: expect.any(String),
      adminPassword: '',
    });
    expect(requestNames.length).toBeGreaterThanOrEqual(25);
    expect(new Set(requestNames).size).toBe(requestNames.length);
  });

  it('runs against a live server with zero failures, every request executed and asserted', async () => {
    const summary = await runCollection(PASSWORD);
    const { stats, executions } = summary.run;

    expect(describeFailures(summary)).toEqual([]);
    // Every request ran, in the collection's order, and got an HTTP response.
    expect(executions.map((e) => e.item.name)).toEqual(requestNames);
    expect(stats.requests).toMatchObject({ total: requestNames.length, failed: 0 });
    for (const e of executions) {
      expect([e.item.name, typeof e.response?.code]).toEqual([e.item.name, 'number']);
      // The collection-level checks (no 5xx, JSON) plus at least one of the request's own.
      expect([e.item.name, e.assertions.length >= 3]).toEqual([e.item.name, true]);
      expect([e.item.name, e.assertions.filter((a) => a.error)]).toEqual([e.item.name, []]);
    }
    expect(stats.assertions.failed).toBe(0);
    expect(stats.assertions.total).toBeGreaterThanOrEqual(requestNames.length * 3);
    expect(stats.testScripts.failed).toBe(0);
    expect(stats.prerequestScripts.failed).toBe(0);

    // What the run left on the server, seen from outside newman.
    const responseOf = (name: string) => {
      const response = executions.find((e) => e.item.name === name)?.response as { json?: () => any } | undefined;
      return response?.json?.();
    };
    const eventId = Number(responseOf('Admin creates an event')?.id);
    const username = String(responseOf('Register a user')?.user?.username);
    const event = await rest(h, 'GET', `/api/events/${eventId}/`, { token: admin.access });
    expect(event.body).toMatchObject({ id: eventId, capacity: 50, confirmed_count: 2, hold_count: 0 });
    const [row] = await h.rt.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reservations r JOIN users u ON u.id = r.user_id
       WHERE u.username = :username AND r.event_id = :eventId`,
      { type: 'SELECT' as never, replacements: { username, eventId } },
    );
    expect(row).toEqual({ n: 2 });
  }, 120_000);

  it('negative control: with a wrong admin password the run reports failures', async () => {
    const summary = await runCollection(`${PASSWORD}-wrong`);
    const failedItems = new Set(summary.run.failures.map((f) => f.source?.name));
    expect(summary.run.stats.assertions.failed).toBeGreaterThan(0);
    expect(failedItems.has('Admin token')).toBe(true);
    expect(failedItems.has('Admin creates an event')).toBe(true);
    // The rest still ran: a failure does not hide later requests.
    expect(summary.run.executions.map((e) => e.item.name)).toEqual(requestNames);
  }, 120_000);
});
