// The worker's jobs. Each enters the domain through the server's services, never through its own SQL: expiry takes
// the event row lock like every other reservation change, so any number of workers can sweep at once, and Agenda's
// job lock only keeps them from doing the same work twice.
import { performance } from 'node:perf_hooks';
import type { Services } from '@holdfast/server';
import type { Agenda, Job } from 'agenda';
import { describeError, type WorkerLogger } from './logger';

export const EXPIRE_HOLDS_JOB = 'expire-holds';
export const CLEANUP_JOB = 'cleanup';

export interface SweepReport {
  expired: number;
  events: number;
  durationMs: number;
}

export interface JobSettings {
  /** Events per expiry transaction batch; between batches a long catch-up renews its Agenda lock. */
  batchSize: number;
  /**
   * How long an expire-holds lock lives without renewal: also how long other workers wait to take over from a
   * worker that died mid-sweep, so it is short (Agenda's default is 10 minutes). It can be: a running sweep renews
   * it on a timer, and two sweeps overlapping (a renewal lost to a store hiccup) expire each hold once anyway,
   * because every expiry takes the event row lock and only touches holds still HOLD and overdue.
   */
  expireHoldsLockLifetimeMs: number;
  /** True once the worker is stopping: a long sweep ends at the next batch instead of holding up shutdown. */
  stopping(): boolean;
}

export function defineJobs(agenda: Agenda, services: Services, log: WorkerLogger, settings: JobSettings): void {
  agenda.define(
    EXPIRE_HOLDS_JOB,
    async (job: Job) => {
      const stopHeartbeat = renewWhileRunning(job, settings.expireHoldsLockLifetimeMs / 3, log);
      const report = await sweepOverdueHolds(services, settings, () => job.touch()).finally(stopHeartbeat);
      const line = `expire-holds: expired ${report.expired} holds on ${report.events} events in ${report.durationMs} ms`;
      // Empty sweeps run every few seconds: they stay at debug so the info stream shows only real work.
      if (report.expired > 0) log.info(line, { job: EXPIRE_HOLDS_JOB, ...report });
      else log.debug(line, { job: EXPIRE_HOLDS_JOB, ...report });
    },
    { concurrency: 1, lockLifetime: settings.expireHoldsLockLifetimeMs },
  );

  agenda.define(
    CLEANUP_JOB,
    async () => {
      const started = performance.now();
      const idempotencyKeys = await services.idempotency.deleteExpired();
      const tokens = await services.auth.deleteExpiredTokens();
      // The audit log's retention (AUDIT_RETENTION_DAYS): the only deletion its append-only trigger lets through.
      const auditEntries = await services.audit.purgeExpired();
      const durationMs = Math.round(performance.now() - started);
      log.info(
        `cleanup: deleted ${idempotencyKeys} idempotency records, ${tokens} expired tokens and ${auditEntries} ` +
          `audit entries past retention in ${durationMs} ms`,
        {
          job: CLEANUP_JOB,
          idempotencyKeys,
          tokens,
          auditEntries,
          durationMs,
        },
      );
    },
    // Three indexed DELETEs; a minute is ample, and a shorter lock lets another worker retry sooner after a crash.
    { concurrency: 1, lockLifetime: 60_000 },
  );
}

/**
 * Renews the job's lock every `everyMs` until the returned function is called, so a sweep slowed down by a busy
 * database keeps its short lock. A failed renewal is logged; the lock then lapses and another worker may sweep too.
 */
function renewWhileRunning(job: Job, everyMs: number, log: WorkerLogger): () => void {
  const timer = setInterval(() => {
    job.touch().catch((err: unknown) => log.warn(`${job.attrs.name}: lock renewal failed: ${describeError(err)}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Expires every overdue hold in one sweep of the service, renewing the job lock between its rounds. */
export async function sweepOverdueHolds(
  services: Services,
  settings: Pick<JobSettings, 'batchSize' | 'stopping'>,
  renewLock: () => Promise<unknown>,
): Promise<SweepReport> {
  const started = performance.now();
  const { expired, events } = await services.reservations.expireOverdueHolds({
    batchSize: settings.batchSize,
    maxRounds: Number.POSITIVE_INFINITY,
    betweenRounds: async () => {
      if (settings.stopping()) return false;
      await renewLock();
      return true;
    },
  });
  return { expired, events, durationMs: Math.round(performance.now() - started) };
}
