// Short invariant storm for `pnpm test`; `pnpm test:storm` runs it longer (STORM_SECONDS) and records the figures.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { Sequelize } from 'sequelize';
import { migrate } from '../src/db/migrator';
import { recordReliability } from './reliability/record';
import { runStorm, totalViolations } from './reliability/storm';
import { createHarness, type Harness } from './support/harness';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

const seconds = Number(process.env.STORM_SECONDS ?? 6);
const clients = Number(process.env.STORM_CLIENTS ?? 16);

async function listen(h: Harness): Promise<string> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

describe('invariant storm', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ HOLD_TTL_SECONDS: '2', MAX_ACTIVE_HOLDS_PER_USER: '5', DATABASE_POOL_MAX: '10' });
  });
  afterAll(() => h.close());

  it(`keeps every invariant with ${clients} clients for ${seconds}s`, async () => {
    const report = await runStorm(h, await listen(h), {
      clients,
      events: 3,
      capacity: 12,
      durationMs: seconds * 1000,
    });
    recordReliability('storm', { seconds, clients, ...report });
    console.log(
      `storm: operations=${report.operations} checks=${report.checks} violations=${totalViolations(report)} 5xx=${report.status5xx} expired=${report.expiredBySweep}`,
    );
    expect(report.examples).toEqual([]);
    expect(totalViolations(report)).toBe(0);
    expect(report.status5xx).toBe(0);
    expect(report.networkErrors).toBe(0);
    expect(report.operations).toBeGreaterThan(100);
    expect(report.checks).toBeGreaterThan(10);
    // The storm really exercised every path.
    expect(Object.keys(report.byOutcome).some((k) => k.startsWith('confirm:200'))).toBe(true);
    expect(Object.keys(report.byOutcome).some((k) => k.includes('INSUFFICIENT_CAPACITY'))).toBe(true);
  });
});

describe('negative control', () => {
  it('the checker reports violations when the event lock and the CHECK guard are off', async () => {
    const db = await createTestDatabase('holdfast_storm_neg');
    const seq = new Sequelize(db.url, { dialect: 'postgres', logging: false });
    let unsafe: Harness | undefined;
    try {
      await migrate(seq);
      await seq.query('ALTER TABLE events DROP CONSTRAINT events_not_oversold');
      unsafe = await createHarness(
        { DATABASE_URL: db.url, HOLD_TTL_SECONDS: '2', MAX_ACTIVE_HOLDS_PER_USER: '0', DATABASE_POOL_MAX: '10' },
        { overrides: { reservations: { unsafeSkipEventLock: true } } },
      );
      const report = await runStorm(unsafe, await listen(unsafe), {
        clients: 16,
        events: 2,
        capacity: 6,
        durationMs: 4000,
      });
      recordReliability('storm-negative-control', { operations: report.operations, violations: report.violations });
      console.log(`storm negative control: operations=${report.operations} violations=${totalViolations(report)}`);
      expect(report.violations.oversold).toBeGreaterThan(0);
    } finally {
      await unsafe?.close();
      await seq.close();
      await dropTestDatabase(db);
    }
  });
});
