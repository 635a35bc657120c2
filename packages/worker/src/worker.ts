// The worker: Agenda on the job store, running expire-holds every few seconds and cleanup daily through the
// server's services.
//
// It never takes the process down over the job store. At start it retries the store with capped exponential
// backoff and returns at once (the all-in-one process serves the API meanwhile; expiry is lazy anyway). Once
// running, a store outage shows up as Agenda `error` events on each poll; the driver reconnects by itself and
// processing resumes when the store answers, catching up on whatever lapsed meanwhile.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Runtime } from '@holdfast/server';
import { Agenda, type JobId, type JobWithId } from 'agenda';
import { backoffDelay, DEFAULT_BACKOFF, pause, type BackoffPolicy } from './backoff';
import { connectJobStore, jobStoreTarget, redactUrl, type JobStore, type JobStoreTarget } from './job-store';
import { CLEANUP_JOB, defineJobs, EXPIRE_HOLDS_JOB } from './jobs';
import { describeError, type WorkerLogger } from './logger';

export interface WorkerOptions {
  log: WorkerLogger;
  /** Default: MongoDB at runtime.config.mongoUrl when set, else PostgreSQL at runtime.databaseUrl. */
  jobStore?: JobStoreTarget;
  backoff?: BackoffPolicy;
}

export interface Worker {
  readonly name: string;
  /** Resolves true once the jobs are scheduled and polled, false if stop() came first. Never rejects. */
  readonly ready: Promise<boolean>;
  /** Stops polling, lets a running job finish, releases this worker's job locks and closes the store. */
  stop(): Promise<void>;
}

const SETTINGS = {
  /**
   * Sweep interval. A lapsed hold is EXPIRED within about expireHoldsEveryMs + processEveryMs of its expires_at
   * (the API already treats it as gone the moment it lapses).
   */
  expireHoldsEveryMs: 2000,
  /** How often Agenda polls the store for due jobs. */
  processEveryMs: 1000,
  cleanupEveryMs: 24 * 3600_000,
  /**
   * How long the expiry job's lock outlives its worker: a worker SIGKILLed mid-sweep delays expiry by about this
   * much (plus a poll and a sweep). A running sweep renews the lock every third of it, so only a dead worker (or
   * one whose store stopped answering) loses it; a sweep that overlaps another is harmless (see jobs.ts).
   */
  expireHoldsLockLifetimeMs: 4000,
  batchSize: 25,
  /** How long stop() waits for a running job before giving up on it (its lock then lapses by itself). */
  drainTimeoutMs: 10_000,
};

// While the store keeps failing, Agenda reports on every poll; one line per this interval is enough.
const OUTAGE_LOG_INTERVAL_MS = 30_000;

export function startWorker(runtime: Runtime, opts: WorkerOptions): Worker {
  const { log } = opts;
  const target = opts.jobStore ?? jobStoreTarget(runtime.config.mongoUrl, runtime.databaseUrl);
  // This worker's name in the job store (lastModifiedBy).
  const name = `holdfast-worker@${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const aborted = new AbortController();
  let store: JobStore | undefined;
  let agenda: Agenda | undefined;
  let scheduled: JobId[] = [];

  const launch = async (): Promise<boolean> => {
    log.info(`worker ${name} connecting to job store ${target.kind} at ${redactUrl(target.url)}`);
    for (let attempt = 1; !aborted.signal.aborted; attempt++) {
      try {
        store = await connectJobStore(target, log);
        if (aborted.signal.aborted) break;
        const instance = new Agenda({ backend: store.backend, name, processEvery: SETTINGS.processEveryMs });
        watchStore(instance, store, log);
        defineJobs(instance, runtime.services, log, {
          batchSize: SETTINGS.batchSize,
          expireHoldsLockLifetimeMs: SETTINGS.expireHoldsLockLifetimeMs,
          stopping: () => aborted.signal.aborted,
        });
        // Each every() upserts one document per job name, so every worker registering on start is idempotent.
        const expire = await registerEvery(instance, SETTINGS.expireHoldsEveryMs, EXPIRE_HOLDS_JOB);
        const cleanup = await registerEvery(instance, SETTINGS.cleanupEveryMs, CLEANUP_JOB);
        scheduled = [expire.attrs._id, cleanup.attrs._id].filter((id): id is JobId => id !== undefined);
        if (aborted.signal.aborted) break;
        await instance.start();
        agenda = instance;
        log.info(`worker ${name} started: job store ${store.kind} at ${store.location}`, {
          store: store.kind,
          expireHoldsEveryMs: SETTINGS.expireHoldsEveryMs,
          processEveryMs: SETTINGS.processEveryMs,
        });
        return true;
      } catch (err) {
        await store?.close().catch(() => undefined);
        store = undefined;
        if (aborted.signal.aborted) break;
        const delay = backoffDelay(attempt, opts.backoff ?? DEFAULT_BACKOFF);
        log.warn(
          `job store ${target.kind} at ${redactUrl(target.url)} not available (${describeError(err)}); ` +
            `worker retrying in ${delay} ms (attempt ${attempt})`,
          { store: target.kind, attempt, retryInMs: delay },
        );
        await pause(delay, aborted.signal);
      }
    }
    // Stopped before processing began.
    await store?.close().catch(() => undefined);
    store = undefined;
    return false;
  };

  const ready = launch();
  let stopping: Promise<void> | undefined;

  const stop = async (): Promise<void> => {
    aborted.abort();
    await ready;
    const running = agenda;
    agenda = undefined;
    if (running) {
      try {
        const drained = await running.drain({ timeout: SETTINGS.drainTimeoutMs, closeConnection: false });
        if (drained.timedOut) {
          log.warn(`worker stopped with ${drained.running} job(s) still running after ${SETTINGS.drainTimeoutMs} ms`);
        }
        await releaseEarlyLocks(running, scheduled, name);
      } catch (err) {
        log.warn(`worker stop: ${describeError(err)}`);
      }
    }
    await store?.close().catch((err: unknown) => log.warn(`closing the job store: ${describeError(err)}`));
    store = undefined;
    log.info(`worker ${name} stopped`);
  };

  return {
    name,
    ready,
    stop: () => (stopping ??= stop()),
  };
}

/**
 * agenda.every(), once more if another worker inserted the same job first: the unique index on a MongoDB store
 * refuses the second insert (E11000), and the retry finds the document and updates it.
 */
async function registerEvery(agenda: Agenda, intervalMs: number, name: string) {
  try {
    return await agenda.every(intervalMs, name);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
    return agenda.every(intervalMs, name);
  }
}

/**
 * Logs Agenda's errors (nearly always the store failing) once per outage plus a reminder now and then, and says
 * when the store answers again.
 */
function watchStore(agenda: Agenda, store: JobStore, log: WorkerLogger): void {
  let failingSince: number | undefined;
  let lastReport = 0;
  agenda.on('error', (err) => {
    const now = Date.now();
    if (failingSince === undefined) {
      failingSince = now;
      lastReport = now;
      log.warn(
        `Agenda error on job store ${store.kind} at ${store.location}: ${describeError(err)}; polling continues`,
        {
          store: store.kind,
        },
      );
    } else if (now - lastReport >= OUTAGE_LOG_INTERVAL_MS) {
      lastReport = now;
      log.warn(
        `Agenda errors on job store ${store.kind} for ${Math.round((now - failingSince) / 1000)} s: ${describeError(err)}`,
      );
    }
  });
  // A job that starts was locked and saved through the store: it answers again.
  agenda.on('start', () => {
    if (failingSince === undefined) return;
    log.info(`job store ${store.kind} answering again after ${Math.round((Date.now() - failingSince) / 1000)} s`);
    failingSince = undefined;
  });
  agenda.on('fail', (err: Error, job: JobWithId) => {
    log.warn(`${job.attrs.name} failed: ${describeError(err)}`, { job: job.attrs.name });
  });
}

/**
 * Agenda locks a job shortly before it is due; drain() waits for running jobs but leaves such early locks behind,
 * and other workers would wait out the lock lifetime. Release the ones still held in this worker's name.
 */
async function releaseEarlyLocks(agenda: Agenda, ids: JobId[], name: string): Promise<void> {
  for (const id of ids) {
    const job = await agenda.db.getJobById(String(id));
    if (job?.lockedAt && job.lastModifiedBy === name) await agenda.db.unlockJobs([id]);
  }
}
