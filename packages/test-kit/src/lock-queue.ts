// Waiting for a lock queue to form: race tests hold a row lock in one session, start the contenders, and must know
// they are all queued before letting go (otherwise the "race" is just a sequence).
import type { Client } from 'pg';

/**
 * Resolves once `n` statements wait behind the blocker's session: blocked by it, or by a waiter queued ahead of them
 * (the first waiter holds the row's tuple lock while it waits for the blocker's transaction). `observer` is a
 * session of its own on the same database.
 */
export async function queuedBehind(observer: Client, blockerPid: number, n: number): Promise<void> {
  for (;;) {
    const r = await observer.query<{ n: number }>(
      `WITH RECURSIVE queued(pid) AS (
         SELECT pid FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))
         UNION
         SELECT a.pid FROM pg_stat_activity a JOIN queued q ON q.pid = ANY(pg_blocking_pids(a.pid))
       )
       SELECT count(*)::int AS n FROM queued`,
      [blockerPid],
    );
    if ((r.rows[0]?.n ?? 0) >= n) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
