import { describe, expect, it } from '@jest/globals';
import { backoffDelay, DEFAULT_BACKOFF, pause } from '../src/backoff';

describe('job store backoff', () => {
  it('doubles from the initial wait and stops at the cap', () => {
    const noJitter = () => 0;
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => backoffDelay(n, DEFAULT_BACKOFF, noJitter));
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('takes off at most a fifth as jitter', () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999)).toBeGreaterThanOrEqual(1600);
    expect(backoffDelay(30, DEFAULT_BACKOFF, () => 0.999)).toBeGreaterThanOrEqual(24_000);
  });

  it('ends a pause as soon as the worker is stopped', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const paused = pause(30_000, stop.signal);
    stop.abort();
    await paused;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
