// Idempotency-Key support: the key row is claimed inside the same transaction as the effect, so either both
// commit or neither does. A concurrent duplicate blocks on the key's unique index until the first commits, then
// replays its stored result; the same key with a different request answers 422.
import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { AppError, type AppErrorCode } from '../../errors';

const KEY_LIFETIME_HOURS = 24;

/** What a transactional operation produced: a result to return, or a domain error to raise after committing. */
export type Outcome<T> = { ok: T } | { fail: AppError };

interface StoredOutcome {
  ok?: unknown;
  fail?: { code: AppErrorCode; message: string };
}

function requestHash(operation: string, request: unknown): string {
  return createHash('sha256').update(operation).update('\0').update(JSON.stringify(request)).digest('hex');
}

export class IdempotencyService {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Runs `effect` in a transaction, at most once per (user, key) within 24 h. Without a key it just runs it.
   * An Outcome's `fail` is committed (e.g. a hold marked EXPIRED) and then thrown, and is replayed the same way.
   */
  async run<T>(
    userId: number,
    operation: string,
    key: string | undefined,
    request: unknown,
    effect: (transaction: Transaction) => Promise<Outcome<T>>,
  ): Promise<T> {
    // The Idempotency-Key header is not schema-validated like the tRPC field; the column is varchar(255).
    if (key !== undefined && [...key].length > 255) {
      throw AppError.validation({ idempotency_key: ['Ensure this field has no more than 255 characters.'] });
    }
    const outcome = await this.sequelize.transaction(async (transaction): Promise<Outcome<T>> => {
      if (key === undefined) return effect(transaction);
      const hash = requestHash(operation, request);
      const claimed = await this.sequelize.query<{ claimed: number }>(
        `INSERT INTO idempotency_keys (user_id, key, operation, request_hash) VALUES (:userId, :key, :operation, :hash)
         ON CONFLICT (user_id, key) DO UPDATE
           SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash,
               status_code = NULL, response = NULL, created_at = now()
           WHERE idempotency_keys.created_at < now() - make_interval(hours => :hours)
         RETURNING 1 AS claimed`,
        {
          type: QueryTypes.SELECT,
          replacements: { userId, key, operation, hash, hours: KEY_LIFETIME_HOURS },
          transaction,
        },
      );
      if (claimed.length === 0) return this.replay<T>(userId, key, operation, hash, transaction);
      const result = await effect(transaction);
      const stored: StoredOutcome =
        'ok' in result ? { ok: result.ok } : { fail: { code: result.fail.code, message: result.fail.message } };
      await this.sequelize.query(
        `UPDATE idempotency_keys SET response = CAST(:response AS jsonb), status_code = :status
          WHERE user_id = :userId AND key = :key`,
        {
          replacements: {
            response: JSON.stringify(stored),
            status: 'ok' in result ? 200 : result.fail.status,
            userId,
            key,
          },
          transaction,
        },
      );
      return result;
    });
    if ('fail' in outcome) throw outcome.fail;
    return outcome.ok;
  }

  private async replay<T>(
    userId: number,
    key: string,
    operation: string,
    hash: string,
    transaction: Transaction,
  ): Promise<Outcome<T>> {
    const rows = await this.sequelize.query<{
      operation: string;
      request_hash: string;
      response: StoredOutcome | null;
    }>('SELECT operation, request_hash, response FROM idempotency_keys WHERE user_id = :userId AND key = :key', {
      type: QueryTypes.SELECT,
      replacements: { userId, key },
      transaction,
    });
    const row = rows[0];
    if (!row || row.operation !== operation || row.request_hash !== hash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
    }
    const stored = row.response;
    if (stored?.fail) return { fail: new AppError(stored.fail.code, stored.fail.message) };
    return { ok: stored?.ok as T };
  }

  /** Deletes keys older than their 24 h lifetime; returns how many. */
  async deleteExpired(): Promise<number> {
    const [, result] = await this.sequelize.query(
      'DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => :hours)',
      { replacements: { hours: KEY_LIFETIME_HOURS } },
    );
    return (result as { rowCount?: number }).rowCount ?? 0;
  }
}
