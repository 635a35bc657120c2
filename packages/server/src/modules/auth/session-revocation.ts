// Revocation that reaches access tokens. Access tokens are stateless JWTs, so two records end them early:
// - users.tokens_valid_after: every token issued (iat) before it is refused — "sign out everywhere", a password
//   change, a deactivation;
// - revoked_access_tokens: one token ended by its jti until its own expiry — a single-device logout.
// authenticate() reads both with the user's row, which each API process reuses for at most AUTH_USER_CACHE_MS, so a
// revocation reaches every process within that time (at once in the process that made it).
import type { Sequelize, Transaction } from 'sequelize';

/**
 * Ends every session of a user: blacklists all outstanding refresh tokens and refuses every access token issued
 * until now. The boundary is the next whole second, because `iat` has one-second resolution: a token signed
 * earlier in this second is refused too, and tokens signed from now on carry an iat of at least that second
 * (see sessionIssuedAt), so a sign-in right after the revocation is not caught by it.
 */
export async function revokeAllSessions(
  sequelize: Sequelize,
  userId: number,
  transaction?: Transaction,
): Promise<void> {
  await sequelize.query(
    `WITH revoked AS (
       UPDATE users SET tokens_valid_after = date_trunc('second', now()) + interval '1 second' WHERE id = :userId
     )
     INSERT INTO blacklisted_tokens (token_id)
     SELECT id FROM outstanding_tokens WHERE user_id = :userId AND expires_at > now()
     ON CONFLICT (token_id) DO NOTHING`,
    { replacements: { userId }, transaction },
  );
}

/** Ends one access token (by its jti) until it expires on its own. */
export async function revokeAccessToken(
  sequelize: Sequelize,
  token: { userId: number; jti: string; exp: number },
  transaction?: Transaction,
): Promise<void> {
  await sequelize.query(
    `INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES (:jti, :userId, to_timestamp(:exp))
     ON CONFLICT (jti) DO NOTHING`,
    { replacements: { jti: token.jti, userId: token.userId, exp: token.exp }, transaction },
  );
}

/** The iat (seconds) for a token signed now: never before the user's tokens_valid_after, or it would be born dead. */
export function sessionIssuedAt(nowMs: number, tokensValidAfter: Date | null): number {
  const now = Math.floor(nowMs / 1000);
  return tokensValidAfter ? Math.max(now, Math.ceil(tokensValidAfter.getTime() / 1000)) : now;
}

/** Whether an access token with these claims was revoked, given what was read with the user's row. */
export function isAccessTokenRevoked(
  claims: { iat: number; jti: string },
  revocation: { validAfterSeconds: number | null; revokedJtis: ReadonlySet<string> },
): boolean {
  if (revocation.validAfterSeconds !== null && claims.iat < revocation.validAfterSeconds) return true;
  return revocation.revokedJtis.has(claims.jti);
}
