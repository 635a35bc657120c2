// Access tokens already verified by this process. Once the user row is cached, checking the token (base64, JSON,
// HMAC, claims) is the largest part of authenticating a request, and a client sends the same token for up to an hour.
// A token is an exact string whose claims cannot change, so reusing them until `exp` answers exactly as verifying
// again would. Only valid tokens are kept (an attacker cannot fill this without signed tokens), and at most maxEntries.
import { verifyToken, type TokenClaims, type TokenSettings } from './tokens';

export const VERIFIED_TOKENS_MAX_ENTRIES = 10_000;

export class VerifiedAccessTokens {
  /** Insertion order: the first key is the oldest, dropped first when full. */
  private readonly claims = new Map<string, TokenClaims>();

  constructor(
    private readonly settings: TokenSettings,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = VERIFIED_TOKENS_MAX_ENTRIES,
  ) {}

  /** The claims of a valid access token, or undefined, as verifyToken(settings, token, 'access') would answer. */
  verify(token: string): TokenClaims | undefined {
    const known = this.claims.get(token);
    if (known) {
      // jsonwebtoken's rule: expired once the current second reaches `exp`.
      if (Math.floor(this.now() / 1000) < known.exp) return known;
      this.claims.delete(token);
      return undefined;
    }
    const claims = verifyToken(this.settings, token, 'access');
    if (claims) {
      this.claims.set(token, Object.freeze(claims));
      if (this.claims.size > this.maxEntries) {
        const oldest = this.claims.keys().next();
        if (!oldest.done) this.claims.delete(oldest.value);
      }
    }
    return claims;
  }
}
