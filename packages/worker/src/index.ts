// The worker package's public surface: what the all-in-one launcher and other packages may import.
export { startWorker, type Worker, type WorkerOptions } from './worker';
export { jobStoreTarget, type JobStoreTarget } from './job-store';
export { CLEANUP_JOB, EXPIRE_HOLDS_JOB, type SweepReport } from './jobs';
export { createJsonLogger, type LogFields, type LogLevel, type WorkerLogger } from './logger';
export type { BackoffPolicy } from './backoff';
