// The audit log, append-only by the database's own rules, plus the columns and indexes the back office filters on.
//
// What makes it append-only: a trigger refuses every UPDATE and TRUNCATE, and every DELETE except the retention
// clean-up. The clean-up goes through audit_log_purge(), which sets a transaction-local cut-off that the trigger
// reads; the trigger itself refuses a cut-off less than a day old, so even SQL that forges the setting can only
// remove entries past the shortest retention. A PostgreSQL superuser can still disable triggers: protecting the log
// from the database's owner needs shipping it elsewhere, which this does not claim to do.
import type { Migration } from '../migrator';

export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE audit_log (
      id           bigserial PRIMARY KEY,
      at           timestamptz NOT NULL DEFAULT now(),
      -- No foreign key: an entry outlives its actor, and ON DELETE SET NULL would be an UPDATE the log refuses.
      actor_id     integer,
      action       varchar(40) NOT NULL,
      object_type  varchar(20) NOT NULL CHECK (object_type IN ('event', 'reservation', 'user', 'auth')),
      object_id    integer,
      before       jsonb,
      after        jsonb,
      reason       text,
      request_id   varchar(128)
    );
    -- "History of this object" (reservation detail, CLI tail) and each filter of the admin list, newest first.
    CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, id DESC);
    CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC) WHERE actor_id IS NOT NULL;
    CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);
    -- since/until and the retention clean-up. BRIN: entries arrive in time order, and a BRIN index costs the hot
    -- hold path next to nothing to maintain (a B-tree would be one more index insert per hold).
    CREATE INDEX audit_log_at_idx ON audit_log USING brin (at);

    CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      cutoff timestamptz := nullif(current_setting('holdfast.audit_purge_before', true), '')::timestamptz;
    BEGIN
      IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <= now() - interval '1 day' AND OLD.at < cutoff THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

    -- The retention clean-up: deletes entries older than p_days days (at least 1); returns how many.
    CREATE FUNCTION audit_log_purge(p_days integer) RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
      cutoff timestamptz;
      removed bigint;
    BEGIN
      IF p_days IS NULL OR p_days < 1 THEN
        RAISE EXCEPTION 'audit retention must be at least 1 day (got %)', p_days;
      END IF;
      cutoff := now() - make_interval(days => p_days);
      PERFORM set_config('holdfast.audit_purge_before', cutoff::text, true);
      DELETE FROM audit_log WHERE at < cutoff;
      GET DIAGNOSTICS removed = ROW_COUNT;
      PERFORM set_config('holdfast.audit_purge_before', '', true);
      RETURN removed;
    END
    $$;

    -- The admin user list shows it; login sets it.
    ALTER TABLE users ADD COLUMN last_login timestamptz;

    -- The admin reservations list: newest first overall and per event, and the CSV export's keyset walk (by id).
    CREATE INDEX reservations_created_idx ON reservations (created_at DESC, id DESC);
    CREATE INDEX reservations_event_created_idx ON reservations (event_id, created_at DESC, id DESC);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP INDEX IF EXISTS reservations_event_created_idx;
    DROP INDEX IF EXISTS reservations_created_idx;
    ALTER TABLE users DROP COLUMN IF EXISTS last_login;
    DROP TABLE IF EXISTS audit_log;
    DROP FUNCTION IF EXISTS audit_log_purge(integer);
    DROP FUNCTION IF EXISTS audit_log_refuse_change();
  `);
};
