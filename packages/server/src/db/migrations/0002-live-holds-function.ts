// live_holds_of_user(): a user's live holds on an event, for the per-user cap. It is a VOLATILE function on
// purpose: under READ COMMITTED each call takes a fresh snapshot, so when it runs after the statement has locked the
// event row it counts every hold committed before that lock was granted. A plain subquery in the same statement
// would read the statement's older snapshot and miss holds that committed while the statement waited for the lock.
import type { Migration } from '../migrator';

export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE FUNCTION live_holds_of_user(p_event integer, p_user integer) RETURNS integer
      LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$
    BEGIN
      RETURN (SELECT count(*) FROM reservations
               WHERE event_id = p_event AND user_id = p_user AND status = 'HOLD' AND expires_at > now());
    END
    $$;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP FUNCTION IF EXISTS live_holds_of_user(integer, integer)');
};
