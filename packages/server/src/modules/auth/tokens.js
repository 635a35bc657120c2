"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.hs256Key = hs256Key;
exports.signToken = signToken;
exports.verifyToken = verifyToken;
// JWT signing and verification: HS256 only (pinned on verify, so `alg: none` and RS/HS confusion fail), and the
// token type is checked so a refresh token is never accepted as an access token, nor the reverse.
const node_crypto_1 = require("node:crypto");
const jsonwebtoken_1 = __importDefault(require("jsonwebtoken"));
function hs256Key(secret) {
    return (0, node_crypto_1.createSecretKey)(Buffer.from(secret, 'utf8'));
}
function signToken(settings, type, userId, nowMs = Date.now()) {
    const iat = Math.floor(nowMs / 1000);
    const ttl = type === 'access' ? settings.accessTtlSeconds : settings.refreshTtlSeconds;
    const claims = { token_type: type, user_id: userId, jti: (0, node_crypto_1.randomUUID)(), iat, exp: iat + ttl };
    // iat is in the claims already; jsonwebtoken keeps a given iat.
    return { token: jsonwebtoken_1.default.sign(claims, settings.key, { algorithm: 'HS256' }), claims };
}
/** The claims of a valid token of the expected type, or undefined (bad signature, expired, wrong type, malformed). */
function verifyToken(settings, token, expected) {
    try {
        const payload = jsonwebtoken_1.default.verify(token, settings.key, { algorithms: ['HS256'] });
        if (typeof payload !== 'object' || payload === null)
            return undefined;
        const c = payload;
        if (c.token_type !== expected ||
            typeof c.user_id !== 'number' ||
            !Number.isInteger(c.user_id) ||
            typeof c.jti !== 'string' ||
            typeof c.exp !== 'number' ||
            typeof c.iat !== 'number') {
            return undefined;
        }
        return c;
    }
    catch {
        return undefined;
    }
}
