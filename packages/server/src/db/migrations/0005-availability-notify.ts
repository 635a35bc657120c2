// Live availability: every change to what an event's seats look like announces itself with NOTIFY from inside the
// transaction that makes it. PostgreSQL delivers a notification only when that transaction commits (and folds
// duplicates within one transaction into one), so a rolled-back hold is never announced and a batch of 64 holds
// on one event costs one message. A trigger on `events` covers every writer — holds, confirms, cancels, the
// worker's expiry sweep, event edits — from any process, without the services having to remember to announce.
//
// The same trigger stamps `availability_changed_at`: with the latest lapse of an overdue hold it dates the current
// seat counts (AvailabilityReading.seq), the same on every process, which is what lets an SSE client resume with
// Last-Event-ID without being sent a value it already has.
//
// `UPDATE OF` fires whenever a statement sets one of these columns, even to the same value: a transaction that
// releases overdue holds and places new ones can leave `held` unchanged while the seats left did change.
import type { Migration } from '../migrator';

export const AVAILABILITY_CHANNEL = 'holdfast_availability';

export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE events ADD COLUMN availability_changed_at timestamptz NOT NULL DEFAULT now();
    CREATE FUNCTION announce_event_availability() RETURNS trigger
      LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('${AVAILABILITY_CHANNEL}', OLD.id::text);
        RETURN OLD;
      END IF;
      NEW.availability_changed_at := clock_timestamp();
      PERFORM pg_notify('${AVAILABILITY_CHANNEL}', NEW.id::text);
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER events_announce_availability
      BEFORE INSERT OR DELETE OR UPDATE OF held, confirmed, capacity, is_active, start_time, end_time ON events
      FOR EACH ROW EXECUTE FUNCTION announce_event_availability();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TRIGGER IF EXISTS events_announce_availability ON events;
    DROP FUNCTION IF EXISTS announce_event_availability();
    ALTER TABLE events DROP COLUMN IF EXISTS availability_changed_at;
  `);
};
