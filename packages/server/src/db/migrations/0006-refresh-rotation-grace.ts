// Refresh rotation grace: what is needed to hand out again the pair a rotation issued, when the rotated token comes
// back within REFRESH_REUSE_GRACE_SECONDS (two browser tabs sharing one session refreshing at once). Only claims
// are kept (ids and times), never a token: re-signing them needs JWT_SECRET, which the database does not hold.
import type { Migration } from '../migrator';

export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE refresh_rotations (
      token_id        bigint PRIMARY KEY REFERENCES outstanding_tokens(id) ON DELETE CASCADE,
      successor_id    bigint NOT NULL REFERENCES outstanding_tokens(id) ON DELETE CASCADE,
      -- The JWT claims of the pair (the successor's jti and exp are on its outstanding_tokens row).
      refresh_iat     integer NOT NULL,
      access_jti      uuid NOT NULL,
      access_iat      integer NOT NULL,
      access_exp      integer NOT NULL,
      rotated_at      timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX refresh_rotations_successor_idx ON refresh_rotations (successor_id);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE IF EXISTS refresh_rotations');
};
