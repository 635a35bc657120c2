// Security hardening (issue 14):
// - login_attempts + admit_login_attempt(): sign-in throttling that counts every password check in one statement
//   (replaces login_failures, which was read and then written, so parallel guesses all passed the check);
// - users.tokens_valid_after + revoked_access_tokens: revocation that reaches access tokens, not just refresh tokens;
// - a case-insensitive unique index on usernames ("Alice" and "alice" cannot both exist);
// - live_hold_seats_of_user(): the seats a user holds on an event, for MAX_HELD_SEATS_PER_USER (VOLATILE for the
//   same reason as live_holds_of_user in 0002: called after the row lock, it sees holds committed while waiting).
import type { Migration } from '../migrator';

export const up: Migration = async ({ context: sequelize }) => {
  // Usernames that already differ only in case cannot be merged automatically (each is someone's sign-in name):
  // stop with the list so an operator renames one of each pair, rather than fail on an anonymous index error.
  const [clashes] = (await sequelize.query(
    `SELECT string_agg(username, ', ' ORDER BY id) AS names FROM users GROUP BY lower(username) HAVING count(*) > 1`,
  )) as [{ names: string }[], unknown];
  if (clashes.length > 0) {
    throw new Error(
      'Migration 0003 needs usernames that are unique ignoring case; rename one of each group, then migrate again: ' +
        clashes.map((c) => `[${c.names}]`).join(' '),
    );
  }
  await sequelize.query(`
    CREATE UNIQUE INDEX users_username_ci_key ON users (lower(username));

    -- Access tokens issued (iat) before this instant are refused; NULL = none revoked.
    ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz;

    -- Access tokens ended one by one (a single-device logout) until they expire on their own.
    CREATE TABLE revoked_access_tokens (
      jti         uuid PRIMARY KEY,
      user_id     integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      expires_at  timestamptz NOT NULL
    );
    CREATE INDEX revoked_access_tokens_user_idx ON revoked_access_tokens (user_id, expires_at);
    CREATE INDEX revoked_access_tokens_expires_idx ON revoked_access_tokens (expires_at);

    DROP TABLE login_failures;

    -- Both figures of the batch statement's caps in one scan of the user's live holds (count and seats).
    CREATE FUNCTION live_hold_totals_of_user(p_event integer, p_user integer, OUT holds integer, OUT seats integer)
      LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$
    BEGIN
      SELECT count(*)::int, COALESCE(sum(quantity), 0)::int INTO holds, seats FROM reservations
       WHERE event_id = p_event AND user_id = p_user AND status = 'HOLD' AND expires_at > now();
    END
    $$;

    CREATE FUNCTION live_hold_seats_of_user(p_event integer, p_user integer) RETURNS integer
      LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $$
    BEGIN
      RETURN (SELECT COALESCE(sum(quantity), 0)::int FROM reservations
               WHERE event_id = p_event AND user_id = p_user AND status = 'HOLD' AND expires_at > now());
    END
    $$;

    -- Sign-in attempts per (account, client IP) and, under client_key '', per account from every IP together.
    CREATE TABLE login_attempts (
      account_key        varchar(150) NOT NULL,
      client_key         varchar(64) NOT NULL,
      attempts           integer NOT NULL CHECK (attempts >= 0),
      window_started_at  timestamptz NOT NULL,
      -- Account row only: past the account-wide ceiling, the next attempt is admitted from this instant.
      next_allowed_at    timestamptz,
      PRIMARY KEY (account_key, client_key)
    );
    CREATE INDEX login_attempts_window_idx ON login_attempts (window_started_at);

    -- Admits one sign-in attempt or refuses it, counting it in the same statement: concurrent attempts (parallel
    -- requests, the calls of one tRPC batch) take turns on the row lock of the upsert, so each sees the others'
    -- counts and at most p_max passwords per (account, client) are checked in a window. Past p_ceiling attempts on
    -- the account from all clients together, attempts are spaced by a growing delay (1, 2, 4 … p_max_delay s)
    -- instead of locked, so nobody can lock the real user out from elsewhere. Locks: the pair row, then the
    -- account row (always in this order, so two attempts cannot deadlock).
    CREATE FUNCTION admit_login_attempt(p_account varchar, p_client varchar, p_max integer, p_window integer,
                                        p_ceiling integer, p_max_delay integer)
      RETURNS TABLE (admitted boolean, retry_after integer, scope text, client_attempts integer)
      LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      win constant interval := make_interval(secs => p_window);
      pair login_attempts%ROWTYPE;
      acct login_attempts%ROWTYPE;
    BEGIN
      INSERT INTO login_attempts AS a (account_key, client_key, attempts, window_started_at)
      VALUES (p_account, p_client, 1, now())
      ON CONFLICT (account_key, client_key) DO UPDATE SET
        attempts = CASE WHEN a.window_started_at + win <= now() THEN 1 ELSE a.attempts + 1 END,
        window_started_at = CASE WHEN a.window_started_at + win <= now() THEN now() ELSE a.window_started_at END
      RETURNING * INTO pair;
      IF pair.attempts > p_max THEN
        RETURN QUERY SELECT false,
          greatest(ceil(extract(epoch FROM pair.window_started_at + win - now())), 1)::integer, 'client'::text,
          pair.attempts;
        RETURN;
      END IF;
      IF p_ceiling <= 0 THEN
        RETURN QUERY SELECT true, 0, ''::text, pair.attempts;
        RETURN;
      END IF;

      INSERT INTO login_attempts (account_key, client_key, attempts, window_started_at)
      VALUES (p_account, '', 0, now())
      ON CONFLICT (account_key, client_key) DO NOTHING;
      SELECT * INTO acct FROM login_attempts WHERE account_key = p_account AND client_key = '' FOR UPDATE;
      IF acct.window_started_at + win <= now() THEN
        acct.attempts := 0;
        acct.window_started_at := now();
        acct.next_allowed_at := NULL;
      END IF;
      IF acct.attempts >= p_ceiling AND acct.next_allowed_at > now() THEN
        -- Not checked, so not counted against this client either.
        UPDATE login_attempts SET attempts = attempts - 1 WHERE account_key = p_account AND client_key = p_client;
        RETURN QUERY SELECT false,
          greatest(ceil(extract(epoch FROM acct.next_allowed_at - now())), 1)::integer, 'account'::text,
          pair.attempts - 1;
        RETURN;
      END IF;
      UPDATE login_attempts SET
        attempts = acct.attempts + 1,
        window_started_at = acct.window_started_at,
        next_allowed_at = CASE WHEN acct.attempts + 1 >= p_ceiling
          THEN now() + make_interval(secs => least(power(2, acct.attempts + 1 - p_ceiling), p_max_delay))
          ELSE NULL END
      WHERE account_key = p_account AND client_key = '';
      RETURN QUERY SELECT true, 0, ''::text, pair.attempts;
    END
    $$;

    -- A successful sign-in: the client's count starts again, and its attempt no longer counts for the account.
    CREATE FUNCTION forget_login_attempt(p_account varchar, p_client varchar) RETURNS void
      LANGUAGE sql VOLATILE AS $$
      DELETE FROM login_attempts WHERE account_key = p_account AND client_key = p_client;
      UPDATE login_attempts SET attempts = greatest(attempts - 1, 0) WHERE account_key = p_account AND client_key = '';
    $$;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP FUNCTION IF EXISTS forget_login_attempt(varchar, varchar);
    DROP FUNCTION IF EXISTS live_hold_seats_of_user(integer, integer);
    DROP FUNCTION IF EXISTS live_hold_totals_of_user(integer, integer);
    DROP FUNCTION IF EXISTS admit_login_attempt(varchar, varchar, integer, integer, integer, integer);
    DROP TABLE IF EXISTS login_attempts, revoked_access_tokens;
    CREATE TABLE login_failures (
      username_key       varchar(150) PRIMARY KEY,
      failures           integer NOT NULL CHECK (failures >= 0),
      window_started_at  timestamptz NOT NULL
    );
    ALTER TABLE users DROP COLUMN IF EXISTS tokens_valid_after;
    DROP INDEX IF EXISTS users_username_ci_key;
  `);
};
