// overdue_seats_of_event(): the seats of an event's HOLDs past their expiry by the database clock, which reads
// subtract from `held` (lazy expiry) until the worker or a lock marks them EXPIRED. A function of the event id, so
// the ORM's queries call it on their own id column instead of naming the ORM's table alias in hand-written SQL.
// STABLE: within one statement every call sees the same now() and snapshot.
import type { Migration } from '../migrator';

export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE FUNCTION overdue_seats_of_event(p_event integer) RETURNS integer
      LANGUAGE sql STABLE PARALLEL SAFE AS $$
      SELECT COALESCE(sum(quantity), 0)::int FROM reservations
       WHERE event_id = p_event AND status = 'HOLD' AND expires_at <= now()
    $$;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP FUNCTION IF EXISTS overdue_seats_of_event(integer)');
};
