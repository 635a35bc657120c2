"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.VerifiedAccessTokens = exports.VERIFIED_TOKENS_MAX_ENTRIES = void 0;
// Access tokens already verified by this process. Once the user row is cached, checking the token (base64, JSON,
// HMAC, claims) is the largest part of authenticating a request, and a client sends the same token for up to an hour.
// A token is an exact string whose claims cannot change, so reusing them until `exp` answers exactly as verifying
// again would. Only valid tokens are kept (an attacker cannot fill this without signed tokens), and at most maxEntries.
const tokens_1 = require("./tokens");
exports.VERIFIED_TOKENS_MAX_ENTRIES = 10_000;
class VerifiedAccessTokens {
    settings;
    now;
    maxEntries;
    /** Insertion order: the first key is the oldest, dropped first when full. */
    claims = new Map();
    constructor(settings, now = Date.now, maxEntries = exports.VERIFIED_TOKENS_MAX_ENTRIES) {
        this.settings = settings;
        this.now = now;
        this.maxEntries = maxEntries;
    }
    /** The claims of a valid access token, or undefined, as verifyToken(settings, token, 'access') would answer. */
    verify(token) {
        const known = this.claims.get(token);
        if (known) {
            // jsonwebtoken's rule: expired once the current second reaches `exp`.
            if (Math.floor(this.now() / 1000) < known.exp)
                return known;
            this.claims.delete(token);
            return undefined;
        }
        const claims = (0, tokens_1.verifyToken)(this.settings, token, 'access');
        if (claims) {
            this.claims.set(token, Object.freeze(claims));
            if (this.claims.size > this.maxEntries) {
                const oldest = this.claims.keys().next();
                if (!oldest.done)
                    this.claims.delete(oldest.value);
            }
        }
        return claims;
    }
}
exports.VerifiedAccessTokens = VerifiedAccessTokens;
