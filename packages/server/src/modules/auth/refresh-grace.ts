// Refresh-token rotation with a short grace window. Browser tabs (or processes) sharing one stored session may
// present the same refresh token at the same moment; strict rotation would read the second as theft and revoke every
// session of the user. Within `graceSeconds` of a rotation, presenting the rotated token again answers with the very
// pair that rotation issued (re-signed from stored claims: the database never holds a usable token), as long as
// that pair's refresh token is still valid. Past the window, reuse is theft as before and revokes everything.
//
// Trade-off (README, "Sessions in several tabs"): an attacker holding a copy of the rotated token who replays it
// inside the window gets the same pair as the legitimate client instead of tripping the theft alarm; detection of
// such a copy shrinks to "used later than graceSeconds after rotation". Within the window nothing new is minted,
// a logout or revocation of the successor also ends the replay, and 0 turns the window off.
import jwt from 'jsonwebtoken';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { TokenPair } from './auth.schema';
import type { TokenClaims, TokenSettings } from './tokens';

export interface RotationGraceSettings extends TokenSettings {
  /** REFRESH_REUSE_GRACE_SECONDS; 0 disables the window. */
  graceSeconds: number;
}

/** What a rotated refresh token presented again gets. */
export type GraceOutcome =
  /** Outside the window (or none): this is reuse. */
  | { kind: 'reuse' }
  /** Inside the window: the pair the rotation issued. */
  | { kind: 'replay'; pair: TokenPair }
  /** Inside the window, but that pair is no longer valid (logged out, revoked, user inactive): refuse, don't revoke. */
  | { kind: 'refuse' };

interface RotationRow {
  user_id: number;
  successor_jti: string;
  successor_exp: number;
  refresh_iat: number;
  access_jti: string;
  access_iat: number;
  access_exp: number;
  usable: boolean;
}

/** Signs exactly the claims given, in the field order signToken uses, so a re-signed token equals the original. */
function resign(settings: TokenSettings, claims: TokenClaims): string {
  const ordered: TokenClaims = {
    token_type: claims.token_type,
    user_id: claims.user_id,
    jti: claims.jti,
    iat: claims.iat,
    exp: claims.exp,
  };
  return jwt.sign(ordered, settings.key, { algorithm: 'HS256' });
}

export class RefreshRotationGrace {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: RotationGraceSettings,
  ) {}

  /** Records the pair issued by rotating outstanding token `tokenId` (same transaction as the rotation). */
  async remember(tokenId: string, pair: TokenPair, transaction: Transaction): Promise<void> {
    if (this.settings.graceSeconds <= 0) return;
    const refresh = jwt.decode(pair.refresh) as TokenClaims;
    const access = jwt.decode(pair.access) as TokenClaims;
    await this.sequelize.query(
      `INSERT INTO refresh_rotations (token_id, successor_id, refresh_iat, access_jti, access_iat, access_exp)
       SELECT :tokenId, id, :refreshIat, :accessJti, :accessIat, :accessExp FROM outstanding_tokens WHERE jti = :jti`,
      {
        transaction,
        replacements: {
          tokenId,
          jti: refresh.jti,
          refreshIat: refresh.iat,
          accessJti: access.jti,
          accessIat: access.iat,
          accessExp: access.exp,
        },
      },
    );
  }

  /** Decides what an already-rotated token `tokenId` gets; the caller holds its row lock. */
  async onRotatedTokenPresented(tokenId: string, transaction: Transaction): Promise<GraceOutcome> {
    if (this.settings.graceSeconds <= 0) return { kind: 'reuse' };
    // The database clock decides the window, as it decides every other expiry.
    const [row] = await this.sequelize.query<RotationRow>(
      `SELECT s.user_id, s.jti AS successor_jti, extract(epoch FROM s.expires_at)::int AS successor_exp,
              rr.refresh_iat, rr.access_jti, rr.access_iat, rr.access_exp,
              (b.id IS NULL AND s.expires_at > now() AND u.is_active) AS usable
         FROM refresh_rotations rr
         JOIN outstanding_tokens s ON s.id = rr.successor_id
         JOIN users u ON u.id = s.user_id
         LEFT JOIN blacklisted_tokens b ON b.token_id = s.id
        WHERE rr.token_id = :tokenId AND rr.rotated_at > now() - make_interval(secs => :grace)`,
      { type: QueryTypes.SELECT, transaction, replacements: { tokenId, grace: this.settings.graceSeconds } },
    );
    if (!row) return { kind: 'reuse' };
    if (!row.usable) return { kind: 'refuse' };
    const refresh = resign(this.settings, {
      token_type: 'refresh',
      user_id: row.user_id,
      jti: row.successor_jti,
      iat: row.refresh_iat,
      exp: row.successor_exp,
    });
    const access = resign(this.settings, {
      token_type: 'access',
      user_id: row.user_id,
      jti: row.access_jti,
      iat: row.access_iat,
      exp: row.access_exp,
    });
    return { kind: 'replay', pair: { refresh, access } };
  }
}
