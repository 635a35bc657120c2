// Sign-in throttling, kept in PostgreSQL so every API process shares it. Each attempt is admitted or refused by
// one statement that also counts it (admit_login_attempt, migration 0003), before the password is checked: the
// calls of a tRPC batch and parallel requests cannot all read "not locked yet" and then all guess.
//
// Two scopes, after OWASP's advice that a lockout must not become a denial of service against the real user:
// - per (account, client IP): LOGIN_MAX_FAILURES attempts per LOGIN_FAILURE_WINDOW_SECONDS, then 429 until the
//   window ends. A guesser from one address is locked out; the user signing in from elsewhere is not.
// - per account, from every IP together: past LOGIN_ACCOUNT_MAX_FAILURES, attempts are not locked but spaced by a
//   growing delay (1 s, 2 s, 4 s … ACCOUNT_MAX_DELAY_SECONDS): a botnet guesses at most one password per delay,
//   while the real user is at worst made to wait that long.
import { QueryTypes, type Sequelize } from 'sequelize';

export interface LoginThrottleSettings {
  /** Attempts per (account, client IP) per window (LOGIN_MAX_FAILURES). */
  maxFailures: number;
  windowSeconds: number;
  /** Attempts per account from all clients per window before the slow-down (LOGIN_ACCOUNT_MAX_FAILURES); 0 = off. */
  accountCeiling: number;
}

/** The longest wait the account-wide slow-down imposes between two attempts. */
export const ACCOUNT_MAX_DELAY_SECONDS = 60;

export type LoginAdmission =
  /** attempts: this (account, client)'s attempts in the window, this one included. */
  | { admitted: true; attempts: number }
  /** scope 'client': this (account, IP) is locked out until the window ends; 'account': slowed down. */
  | { admitted: false; retryAfter: number; scope: 'client' | 'account' };

/** The account key: case-folded (so "Alice" and "alice" share a count) and cut to the column's width. */
export function accountKey(username: string): string {
  // Lower-casing can lengthen a string ("İ" → "i̇"); the key column is varchar(150).
  return username.toLowerCase().slice(0, 150);
}

export class LoginThrottle {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: LoginThrottleSettings,
  ) {}

  /** Counts one sign-in attempt and says whether its password may be checked. */
  async admit(username: string, clientIp: string): Promise<LoginAdmission> {
    const [row] = await this.sequelize.query<{
      admitted: boolean;
      retry_after: number;
      scope: string;
      client_attempts: number;
    }>('SELECT * FROM admit_login_attempt(:account, :client, :max, :window, :ceiling, :maxDelay)', {
      type: QueryTypes.SELECT,
      replacements: {
        account: accountKey(username),
        client: clientIp.slice(0, 64),
        max: this.settings.maxFailures,
        window: this.settings.windowSeconds,
        ceiling: this.settings.accountCeiling,
        maxDelay: ACCOUNT_MAX_DELAY_SECONDS,
      },
    });
    if (!row) return { admitted: true, attempts: 1 };
    if (row.admitted) return { admitted: true, attempts: row.client_attempts };
    return { admitted: false, retryAfter: row.retry_after, scope: row.scope === 'account' ? 'account' : 'client' };
  }

  /** After a correct password: this client starts again, and the attempt no longer counts for the account. */
  async forget(username: string, clientIp: string): Promise<void> {
    await this.sequelize.query('SELECT forget_login_attempt(:account, :client)', {
      replacements: { account: accountKey(username), client: clientIp.slice(0, 64) },
    });
  }
}
