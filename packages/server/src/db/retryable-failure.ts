// Which PostgreSQL failures are the client's to retry, not bugs: lock waits past lock_timeout, statements past
// statement_timeout, deadlocks/serialization failures, and a lost or exhausted connection. Database knowledge only:
// what such a failure answers (503 BUSY, Retry-After) is decided in src/errors.ts.

const RETRYABLE_SQLSTATES = new Set([
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown (backend terminated)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '25P03', // idle_in_transaction_session_timeout
]);

const RETRYABLE_SEQUELIZE_ERRORS = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotReachableError',
  'SequelizeHostNotFoundError',
]);

interface MaybeDbError {
  name?: unknown;
  message?: unknown;
  original?: { code?: unknown; message?: unknown };
  parent?: { code?: unknown };
  code?: unknown;
}

/** The SQLSTATE of a pg/Sequelize error, if it has one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as MaybeDbError;
  const code = e.original?.code ?? e.parent?.code ?? e.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a pg/Sequelize error is a retryable failure (src/errors.ts toAppError makes it a 503 BUSY). */
export function isRetryableDatabaseFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as MaybeDbError;
  const state = sqlState(err);
  const connectionLost =
    typeof e.message === 'string' &&
    /Connection terminated|connection is insecure|ECONNREFUSED|ECONNRESET|Client has encountered a connection error/i.test(
      e.message,
    );
  return (
    (state !== undefined && RETRYABLE_SQLSTATES.has(state)) ||
    (typeof e.name === 'string' && RETRYABLE_SEQUELIZE_ERRORS.has(e.name)) ||
    connectionLost
  );
}
