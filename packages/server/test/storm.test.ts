// Short invariant storm for `pnpm test`; `pnpm test:storm` runs it longer (STORM_SECONDS) and records the figures.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { recordReliability } from './reliability/record';
import { runStorm, totalViolations } from './reliability/storm';
import { createHarness, createUser, type Harness } from './support/harness';
import { listen, withUnsafeHarness } from './support/isolated';

const seconds = Number(process.env.STORM_SECONDS ?? 6);
const clients = Number(process.env.STORM_CLIENTS ?? 16);

describe('invariant storm', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ HOLD_TTL_SECONDS: '2', MAX_ACTIVE_HOLDS_PER_USER: '5', DATABASE_POOL_MAX: '10' });
  });
  afterAll(() => h.close());

  it(
    `keeps every invariant with ${clients} clients for ${seconds}s`,
    async () => {
      const report = await runStorm(h, await listen(h), {
        clients,
        events: 3,
        capacity: 12,
        durationMs: seconds * 1000,
        minOperations: 400,
      });
      recordReliability('storm', { seconds, clients, ...report });
      console.log(
        `storm: operations=${report.operations} checks=${report.checks} violations=${totalViolations(report)} 5xx=${report.status5xx} expired=${report.expiredBySweep}`,
      );
      expect(report.examples).toEqual([]);
      expect(totalViolations(report)).toBe(0);
      expect(report.status5xx).toBe(0);
      expect(report.networkErrors).toBe(0);
      expect(report.operations).toBeGreaterThanOrEqual(400);
      expect(report.checks).toBeGreaterThan(10);
      // The storm really exercised every path.
      expect(Object.keys(report.byOutcome).some((k) => k.startsWith('confirm:200'))).toBe(true);
      expect(Object.keys(report.byOutcome).some((k) => k.includes('INSUFFICIENT_CAPACITY'))).toBe(true);
    },
    (seconds * 10 + 60) * 1000,
  );
});

describe('negative control', () => {
  // Whether lock-less clients actually collide within a few seconds depends on how busy the machine is, so the
  // control does not wait for luck: besides running the storm with the event lock and the CHECK guard off, a writer
  // that ignores the lock (as the unsafe code would) double-books one event while the storm runs. The checker must
  // see it. (concurrency.test.ts's negative control shows that lock-less holds do oversell.)
  it('the checker reports the oversell a lock-less writer makes during the storm', async () => {
    const env = {
      HOLD_TTL_SECONDS: '2',
      MAX_ACTIVE_HOLDS_PER_USER: '0',
      MAX_HELD_SEATS_PER_USER: '0',
      DATABASE_POOL_MAX: '10',
    };
    const capacity = 6;
    const report = await withUnsafeHarness(env, async (unsafe) => {
      const rogue = await createUser(unsafe);
      return runStorm(unsafe, await listen(unsafe), {
        clients: 16,
        events: 2,
        capacity,
        durationMs: 4000,
        chaos: async (_signal, [eventId]) => {
          await unsafe.rt.sequelize.query(
            `INSERT INTO reservations (event_id, user_id, status, quantity, expires_at)
             VALUES (:eventId, :userId, 'HOLD', :quantity, now() + interval '1 hour')`,
            { replacements: { eventId, userId: rogue.id, quantity: capacity + 1 } },
          );
        },
      });
    });
    recordReliability('storm-negative-control', { operations: report.operations, violations: report.violations });
    console.log(`storm negative control: operations=${report.operations} violations=${totalViolations(report)}`);
    expect(report.violations.oversold).toBeGreaterThan(0);
  });
});
