// Short invariant storm for `pnpm test`; `pnpm test:storm` runs it longer (STORM_SECONDS) and records the figures.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { recordReliability } from './reliability/record';
import { runStorm, totalViolations } from './reliability/storm';
import { createHarness, type Harness } from './support/harness';
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
  it('the checker reports violations when the event lock and the CHECK guard are off', async () => {
    const env = {
      HOLD_TTL_SECONDS: '2',
      MAX_ACTIVE_HOLDS_PER_USER: '0',
      MAX_HELD_SEATS_PER_USER: '0',
      DATABASE_POOL_MAX: '10',
    };
    // An oversell needs two unlocked writers to interleave on one event, which timing decides: up to three storms,
    // stopping at the first that oversells (a checker that never sees one fails all three).
    const report = await withUnsafeHarness(env, async (unsafe) => {
      const url = await listen(unsafe);
      let last = await runStorm(unsafe, url, { clients: 16, events: 2, capacity: 6, durationMs: 4000 });
      for (let storm = 1; storm < 3 && last.violations.oversold === 0; storm++) {
        last = await runStorm(unsafe, url, { clients: 16, events: 2, capacity: 6, durationMs: 4000 });
      }
      return last;
    });
    recordReliability('storm-negative-control', { operations: report.operations, violations: report.violations });
    console.log(`storm negative control: operations=${report.operations} violations=${totalViolations(report)}`);
    expect(report.violations.oversold).toBeGreaterThan(0);
  });
});
