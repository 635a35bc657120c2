"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.IdempotencyService = void 0;
// Idempotency-Key support: the key row is claimed inside the same transaction as the effect, so either both
// commit or neither does. A concurrent duplicate blocks on the key's unique index until the first commits, then
// replays its stored result; the same key with a different request answers 422.
const node_crypto_1 = require("node:crypto");
const sequelize_1 = require("sequelize");
const errors_1 = require("../../errors");
const KEY_LIFETIME_HOURS = 24;
function requestHash(operation, request) {
    return (0, node_crypto_1.createHash)('sha256').update(operation).update('\0').update(JSON.stringify(request)).digest('hex');
}
class IdempotencyService {
    sequelize;
    constructor(sequelize) {
        this.sequelize = sequelize;
    }
    /**
     * Runs `effect` in a transaction, at most once per (user, key) within 24 h. Without a key it just runs it.
     * An Outcome's `fail` is committed (e.g. a hold marked EXPIRED) and then thrown, and is replayed the same way.
     */
    async run(userId, operation, key, request, effect) {
        // The Idempotency-Key header is not schema-validated like the tRPC field; the column is varchar(255).
        if (key !== undefined && [...key].length > 255) {
            throw errors_1.AppError.validation({ idempotency_key: ['Ensure this field has no more than 255 characters.'] });
        }
        const outcome = await this.sequelize.transaction(async (transaction) => {
            if (key === undefined)
                return effect(transaction);
            const hash = requestHash(operation, request);
            const claimed = await this.sequelize.query(`INSERT INTO idempotency_keys (user_id, key, operation, request_hash) VALUES (:userId, :key, :operation, :hash)
         ON CONFLICT (user_id, key) DO UPDATE
           SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash,
               status_code = NULL, response = NULL, created_at = now()
           WHERE idempotency_keys.created_at < now() - make_interval(hours => :hours)
         RETURNING 1 AS claimed`, {
                type: sequelize_1.QueryTypes.SELECT,
                replacements: { userId, key, operation, hash, hours: KEY_LIFETIME_HOURS },
                transaction,
            });
            if (claimed.length === 0)
                return this.replay(userId, key, operation, hash, transaction);
            const result = await effect(transaction);
            const stored = 'ok' in result ? { ok: result.ok } : { fail: { code: result.fail.code, message: result.fail.message } };
            await this.sequelize.query(`UPDATE idempotency_keys SET response = CAST(:response AS jsonb), status_code = :status
          WHERE user_id = :userId AND key = :key`, {
                replacements: {
                    response: JSON.stringify(stored),
                    status: 'ok' in result ? 200 : result.fail.status,
                    userId,
                    key,
                },
                transaction,
            });
            return result;
        });
        if ('fail' in outcome)
            throw outcome.fail;
        return outcome.ok;
    }
    async replay(userId, key, operation, hash, transaction) {
        const rows = await this.sequelize.query('SELECT operation, request_hash, response FROM idempotency_keys WHERE user_id = :userId AND key = :key', {
            type: sequelize_1.QueryTypes.SELECT,
            replacements: { userId, key },
            transaction,
        });
        const row = rows[0];
        if (!row || row.operation !== operation || row.request_hash !== hash) {
            throw new errors_1.AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
        }
        const stored = row.response;
        if (stored?.fail)
            return { fail: new errors_1.AppError(stored.fail.code, stored.fail.message) };
        return { ok: stored?.ok };
    }
    /** Deletes keys older than their 24 h lifetime; returns how many. */
    async deleteExpired() {
        const [, result] = await this.sequelize.query('DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => :hours)', { replacements: { hours: KEY_LIFETIME_HOURS } });
        return result.rowCount ?? 0;
    }
}
exports.IdempotencyService = IdempotencyService;
