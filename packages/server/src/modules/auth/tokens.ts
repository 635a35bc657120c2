// JWT signing and verification: HS256 only (pinned on verify, so `alg: none` and RS/HS confusion fail), and the
// token type is checked so a refresh token is never accepted as an access token, nor the reverse.
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  token_type: TokenType;
  user_id: number;
  jti: string;
  iat: number;
  exp: number;
}

export interface TokenSettings {
  /** The HS256 key. A KeyObject, made once: given a string, jsonwebtoken re-derives a key on every call. */
  key: KeyObject;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export interface SignedToken {
  token: string;
  claims: TokenClaims;
}

export function hs256Key(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export function signToken(settings: TokenSettings, type: TokenType, userId: number, nowMs = Date.now()): SignedToken {
  const iat = Math.floor(nowMs / 1000);
  const ttl = type === 'access' ? settings.accessTtlSeconds : settings.refreshTtlSeconds;
  const claims: TokenClaims = { token_type: type, user_id: userId, jti: randomUUID(), iat, exp: iat + ttl };
  // iat is in the claims already; jsonwebtoken keeps a given iat.
  return { token: jwt.sign(claims, settings.key, { algorithm: 'HS256' }), claims };
}

/** The claims of a valid token of the expected type, or undefined (bad signature, expired, wrong type, malformed). */
export function verifyToken(settings: TokenSettings, token: string, expected: TokenType): TokenClaims | undefined {
  try {
    const payload = jwt.verify(token, settings.key, { algorithms: ['HS256'] });
    if (typeof payload !== 'object' || payload === null) return undefined;
    const c = payload as Partial<TokenClaims>;
    if (
      c.token_type !== expected ||
      typeof c.user_id !== 'number' ||
      !Number.isInteger(c.user_id) ||
      typeof c.jti !== 'string' ||
      typeof c.exp !== 'number' ||
      typeof c.iat !== 'number'
    ) {
      return undefined;
    }
    return c as TokenClaims;
  } catch {
    return undefined;
  }
}
