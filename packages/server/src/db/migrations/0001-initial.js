"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.down = exports.up = void 0;
const up = async ({ context: sequelize }) => {
    await sequelize.query(`
    CREATE TABLE users (
      id            serial PRIMARY KEY,
      username      varchar(150) NOT NULL UNIQUE,
      email         varchar(254) NOT NULL,
      password      varchar(128) NOT NULL,
      first_name    varchar(150) NOT NULL DEFAULT '',
      last_name     varchar(150) NOT NULL DEFAULT '',
      is_superuser  boolean NOT NULL DEFAULT false,
      is_active     boolean NOT NULL DEFAULT true,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX users_email_ci_key ON users (lower(email));

    CREATE TABLE outstanding_tokens (
      id          bigserial PRIMARY KEY,
      user_id     integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      jti         uuid NOT NULL UNIQUE,
      created_at  timestamptz NOT NULL DEFAULT now(),
      expires_at  timestamptz NOT NULL
    );
    CREATE INDEX outstanding_tokens_user_idx ON outstanding_tokens (user_id);
    CREATE INDEX outstanding_tokens_expires_idx ON outstanding_tokens (expires_at);

    CREATE TABLE blacklisted_tokens (
      id              bigserial PRIMARY KEY,
      token_id        bigint NOT NULL UNIQUE REFERENCES outstanding_tokens(id) ON DELETE CASCADE,
      blacklisted_at  timestamptz NOT NULL DEFAULT now()
    );

    -- Failed logins per account, shared by every API process.
    CREATE TABLE login_failures (
      username_key       varchar(150) PRIMARY KEY,
      failures           integer NOT NULL CHECK (failures >= 0),
      window_started_at  timestamptz NOT NULL
    );

    CREATE TABLE events (
      id           serial PRIMARY KEY,
      name         varchar(200) NOT NULL CHECK (length(name) >= 1),
      description  text NOT NULL DEFAULT '',
      capacity     integer NOT NULL CHECK (capacity > 0),
      -- Seats in HOLD (including overdue holds not yet marked EXPIRED) and CONFIRMED, maintained under the
      -- event row lock so a hold never has to sum the reservations table.
      held         integer NOT NULL DEFAULT 0 CHECK (held >= 0),
      confirmed    integer NOT NULL DEFAULT 0 CHECK (confirmed >= 0),
      start_time   timestamptz NOT NULL,
      end_time     timestamptz NOT NULL,
      is_active    boolean NOT NULL DEFAULT true,
      created_at   timestamptz NOT NULL DEFAULT now(),
      updated_at   timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_not_oversold CHECK (held + confirmed <= capacity),
      CONSTRAINT events_time_order CHECK (end_time > start_time)
    );
    CREATE INDEX events_start_idx ON events (start_time, id);

    CREATE TYPE reservation_status AS ENUM ('HOLD', 'CONFIRMED', 'CANCELLED', 'EXPIRED');
    CREATE TABLE reservations (
      id          serial PRIMARY KEY,
      event_id    integer NOT NULL REFERENCES events(id) ON DELETE CASCADE,
      user_id     integer NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
      status      reservation_status NOT NULL DEFAULT 'HOLD',
      quantity    integer NOT NULL CHECK (quantity > 0),
      expires_at  timestamptz,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT reservations_hold_expires CHECK (status <> 'HOLD' OR expires_at IS NOT NULL),
      CONSTRAINT reservations_confirmed_permanent CHECK (status <> 'CONFIRMED' OR expires_at IS NULL)
    );
    -- "My reservations, newest first".
    CREATE INDEX reservations_user_idx ON reservations (user_id, id DESC);
    -- Live holds: lazy expiry per event, the worker's sweep, and the per-user cap all read only these rows.
    CREATE INDEX reservations_live_holds_idx ON reservations (event_id, expires_at) WHERE status = 'HOLD';
    CREATE INDEX reservations_overdue_idx ON reservations (expires_at) WHERE status = 'HOLD';
    CREATE INDEX reservations_user_holds_idx ON reservations (event_id, user_id) WHERE status = 'HOLD';

    CREATE TABLE idempotency_keys (
      user_id       integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      key           varchar(255) NOT NULL,
      operation     varchar(64) NOT NULL,
      request_hash  char(64) NOT NULL,
      status_code   integer,
      response      jsonb,
      created_at    timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, key)
    );
    CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
  `);
};
exports.up = up;
const down = async ({ context: sequelize }) => {
    await sequelize.query(`
    DROP TABLE IF EXISTS idempotency_keys, reservations, events, login_failures, blacklisted_tokens,
      outstanding_tokens, users CASCADE;
    DROP TYPE IF EXISTS reservation_status;
  `);
};
exports.down = down;
