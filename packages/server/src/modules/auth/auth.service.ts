// Users, passwords and JWT sessions. Refresh tokens are recorded as outstanding and blacklisted on rotation and
// logout; reusing a rotated one revokes all of the user's refresh tokens (it means a copy is in someone's hands).
import bcrypt from 'bcrypt';
import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { AppError, type FieldErrors } from '../../errors';
import { ReadThroughCache } from '../../read-through-cache';
import { SYSTEM, type AuditBy, type AuditLog, type AuditRecord, type AuditTrail } from '../audit/audit.service';
import type { AccessSession, AuthUser } from './auth-user';
import { BlacklistedToken, OutstandingToken, User } from './auth.model';
import {
  toUserDto,
  type LoginInput,
  type LogoutInput,
  type RegisterInput,
  type TokenInput,
  type TokenPair,
  type UserDto,
} from './auth.schema';
import { LoginThrottle, accountKey, type LoginAdmission } from './login-throttle';
import { passwordProblems } from './password-policy';
import { RefreshRotationGrace } from './refresh-grace';
import { isAccessTokenRevoked, revokeAccessToken, revokeAllSessions, sessionIssuedAt } from './session-revocation';
import { signToken, verifyToken, type TokenSettings } from './tokens';
import { VerifiedAccessTokens } from './verified-tokens';

export type { AccessSession };

export interface AuthSettings extends TokenSettings {
  bcryptCost: number;
  loginMaxFailures: number;
  loginFailureWindowSeconds: number;
  /** Account-wide attempts (all IPs) before sign-ins are slowed down; 0 = off (LOGIN_ACCOUNT_MAX_FAILURES). */
  loginAccountMaxFailures: number;
  /** How long authenticate() may reuse a user's row (AUTH_USER_CACHE_MS); 0 reads it on every request. */
  userCacheMs: number;
  /** The clock of that cache and of reused access tokens' expiry, in ms (tests step a fake one). */
  now?: () => number;
  /** REFRESH_REUSE_GRACE_SECONDS (see refresh-grace.ts); 0 or absent = strict rotation. */
  refreshReuseGraceSeconds?: number;
}

/** Users whose rows authenticate() keeps at once: ~200 bytes each. */
export const AUTH_USER_CACHE_MAX_ENTRIES = 10_000;

/** What authenticate() needs of a user row and its revocations; null when the row is gone. */
type SignInRecord = {
  user: Readonly<AuthUser>;
  isActive: boolean;
  /** users.tokens_valid_after in epoch seconds. */
  validAfterSeconds: number | null;
  /** Access tokens of this user ended one by one and not expired yet. */
  revokedJtis: ReadonlySet<string>;
} | null;

export interface NewUser {
  username: string;
  email: string;
  password: string;
  firstName?: string;
  lastName?: string;
  isSuperuser?: boolean;
}

const REGISTERED = 'User registered successfully. Please login to get access token.';
const LOGGED_OUT = 'Successfully logged out. Token has been blacklisted.';

export class AuthService {
  /** A hash to compare against when the username is unknown, so both cases take the same time. */
  private dummyHash: Promise<string> | undefined;
  /**
   * Every authenticated request needs the user's row; this process reuses it for userCacheMs and forgets all of them
   * whenever it changes a user itself. A change made elsewhere (another process, SQL) applies within userCacheMs.
   */
  /** Forgotten whole after any user write here (users change rarely, so all go, not just the one). */
  private readonly signInRecords: ReadThroughCache<SignInRecord>;
  private readonly accessTokens: VerifiedAccessTokens;
  private readonly throttle: LoginThrottle;
  private readonly rotationGrace: RefreshRotationGrace;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: AuthSettings,
    private readonly audit: AuditLog,
  ) {
    this.signInRecords = new ReadThroughCache({
      ttlMs: settings.userCacheMs,
      maxEntries: AUTH_USER_CACHE_MAX_ENTRIES,
      ...(settings.now ? { now: settings.now } : {}),
    });
    this.accessTokens = new VerifiedAccessTokens(settings, settings.now);
    this.throttle = new LoginThrottle(sequelize, {
      maxFailures: settings.loginMaxFailures,
      windowSeconds: settings.loginFailureWindowSeconds,
      accountCeiling: settings.loginAccountMaxFailures,
    });
    this.rotationGrace = new RefreshRotationGrace(sequelize, {
      ...settings,
      graceSeconds: settings.refreshReuseGraceSeconds ?? 0,
    });
  }

  // ---- accounts -------------------------------------------------------------------------------------------

  async register(input: RegisterInput, trail: AuditTrail = {}): Promise<{ user: UserDto; message: string }> {
    const user = await this.createUser(
      {
        username: input.username,
        email: input.email,
        password: input.password,
        password2: input.password2,
        firstName: input.first_name,
        lastName: input.last_name,
      },
      { ...trail, selfRegistered: true },
    );
    return { user: toUserDto(user), message: REGISTERED };
  }

  /**
   * Validates like the register endpoint (uniqueness, password match, password policy) and creates the user. The
   * audit entry names the new user as actor when they registered themselves, else the system (CLI, tests).
   */
  async createUser(
    input: NewUser & { password2?: string },
    by: AuditTrail & { selfRegistered?: boolean } = {},
  ): Promise<User> {
    const fields: FieldErrors = {};
    const [usernameTaken, emailTaken] = await Promise.all([
      // Unique ignoring case (as the index of migration 0003): "Alice" cannot pass for "alice".
      User.count({
        where: this.sequelize.where(
          this.sequelize.fn('lower', this.sequelize.col('username')),
          input.username.toLowerCase(),
        ),
      }),
      User.count({
        where: this.sequelize.where(this.sequelize.fn('lower', this.sequelize.col('email')), input.email.toLowerCase()),
      }),
    ]);
    if (usernameTaken > 0) fields.username = ['A user with that username already exists.'];
    if (emailTaken > 0) fields.email = ['User with this email already exists.'];
    if (Object.keys(fields).length > 0) throw AppError.validation(fields);

    if (input.password2 !== undefined && input.password !== input.password2) {
      throw AppError.validation({ password: ["Password fields didn't match."] });
    }
    const problems = passwordProblems(input.password, input);
    if (problems.length > 0) throw AppError.validation({ password: problems });

    const hash = await bcrypt.hash(input.password, this.settings.bcryptCost);
    try {
      return await this.signInRecords.invalidateAfter(
        this.sequelize.transaction(async (transaction) => {
          const user = await User.create(
            {
              username: input.username,
              email: input.email,
              password: hash,
              firstName: input.firstName ?? '',
              lastName: input.lastName ?? '',
              isSuperuser: input.isSuperuser ?? false,
            },
            { transaction },
          );
          await this.audit.record(
            {
              actorId: by.selfRegistered ? user.id : null,
              action: 'user.register',
              objectType: 'user',
              objectId: user.id,
              after: userAuditState(user),
              requestId: by.requestId,
            },
            transaction,
          );
          return user;
        }),
      );
    } catch (err) {
      // Two registrations raced past the checks above; the unique indexes decide.
      if (err instanceof UniqueConstraintError) {
        const onEmail = JSON.stringify(err.fields).includes('email');
        throw AppError.validation(
          onEmail
            ? { email: ['User with this email already exists.'] }
            : { username: ['A user with that username already exists.'] },
        );
      }
      throw err;
    }
  }

  async setPassword(username: string, password: string): Promise<void> {
    const user = await User.findOne({ where: { username } });
    if (!user) throw AppError.notFound(`No user named "${username}".`);
    await this.changePassword(user, password, SYSTEM);
  }

  /**
   * Sets a user's password (the four validators), ends every session the old one opened, and records it (never the
   * hash) — all in one transaction.
   */
  async changePassword(user: User, password: string, by: AuditBy): Promise<void> {
    const problems = passwordProblems(password, user);
    if (problems.length > 0) throw AppError.validation({ password: problems });
    const hash = await bcrypt.hash(password, this.settings.bcryptCost);
    await this.signInRecords.invalidateAfter(
      this.sequelize.transaction(async (transaction) => {
        await User.update({ password: hash }, { where: { id: user.id }, transaction });
        await revokeAllSessions(this.sequelize, user.id, transaction);
        await this.audit.record(
          {
            actorId: by.actorId,
            action: 'user.set_password',
            objectType: 'user',
            objectId: user.id,
            after: { sessions_revoked: true },
            requestId: by.requestId,
          },
          transaction,
        );
      }),
    );
  }

  /** The CLI's activate/deactivate (actor: the system); the back office goes through UserAdminService. */
  async setActive(username: string, active: boolean): Promise<void> {
    const found = await this.signInRecords.invalidateAfter(
      this.sequelize.transaction(async (transaction) => {
        const user = await User.findOne({ where: { username }, transaction, lock: transaction.LOCK.UPDATE });
        if (!user) return false;
        const before = userAuditState(user);
        user.isActive = active;
        await user.save({ transaction });
        if (!active) await revokeAllSessions(this.sequelize, user.id, transaction);
        await this.audit.record(
          {
            actorId: null,
            action: 'user.update',
            objectType: 'user',
            objectId: user.id,
            before,
            after: userAuditState(user),
          },
          transaction,
        );
        return true;
      }),
    );
    if (!found) throw AppError.notFound(`No user named "${username}".`);
  }

  /** Clears this process's cached sign-in records once `write` settles (a user row changed). */
  forgetSignInRecordsAfter<T>(write: Promise<T>): Promise<T> {
    return this.signInRecords.invalidateAfter(write);
  }

  /**
   * Ends every session of a user at once: refresh tokens blacklisted, access tokens issued until now refused
   * (within AUTH_USER_CACHE_MS on other API processes). For admin deactivation, set_password and the like.
   */
  async revokeAllSessions(userId: number, transaction?: Transaction): Promise<void> {
    await revokeAllSessions(this.sequelize, userId, transaction);
    if (transaction) transaction.afterCommit(() => this.signInRecords.invalidate());
    else this.signInRecords.invalidate();
  }

  async me(user: AuthUser): Promise<UserDto> {
    const row = await User.findByPk(user.id);
    if (!row) throw AppError.tokenNotValid('User not found');
    return toUserDto(row);
  }

  // ---- sessions -------------------------------------------------------------------------------------------

  /** The old /api/auth/users/login/: a missing field is 400, bad credentials 401 {"error":"Invalid credentials"}. */
  async login(
    input: LoginInput,
    clientIp: string,
    trail: AuditTrail = {},
  ): Promise<{ user: UserDto; refresh: string; access: string }> {
    if (!input.username || !input.password) {
      throw new AppError('BAD_REQUEST', 'Username and password are required');
    }
    const user = await this.checkCredentials(input.username, input.password, clientIp, trail);
    if (!user) throw new AppError('UNAUTHORIZED', 'Invalid credentials', { rest: 'error' });
    return { user: toUserDto(user), ...(await this.issueTokens(user)) };
  }

  /** simplejwt's TokenObtainPairView (/api/token/). */
  async obtainToken(input: TokenInput, clientIp: string, trail: AuditTrail = {}): Promise<TokenPair> {
    const user = await this.checkCredentials(input.username, input.password, clientIp, trail);
    if (!user) throw new AppError('UNAUTHORIZED', 'No active account found with the given credentials');
    return this.issueTokens(user);
  }

  async refresh(token: string, trail: AuditTrail = {}): Promise<{ access: string; refresh: string }> {
    const claims = verifyToken(this.settings, token, 'refresh');
    if (!claims) throw AppError.tokenNotValid('Token is invalid or expired');
    const outcome = await this.sequelize.transaction(async (transaction) => {
      // The row lock makes two refreshes of one token take turns: the second sees it blacklisted.
      const outstanding = await OutstandingToken.findOne({
        where: { jti: claims.jti },
        lock: transaction.LOCK.UPDATE,
        transaction,
      });
      if (!outstanding) return 'invalid' as const;
      if (await this.isBlacklisted(outstanding.id, transaction)) {
        // Tabs sharing a session refreshing together: within the grace window the same pair, not a revocation.
        const grace = await this.rotationGrace.onRotatedTokenPresented(outstanding.id, transaction);
        if (grace.kind === 'replay') return grace.pair;
        if (grace.kind === 'refuse') return 'blacklisted' as const;
        // A rotated token came back: a copy is in someone's hands, so every session of the user ends.
        await revokeAllSessions(this.sequelize, outstanding.userId, transaction);
        // The presenter is unknown (it may be the thief): the actor is the system, the object the account.
        await this.audit.record(
          {
            actorId: null,
            action: 'auth.refresh_reuse',
            objectType: 'auth',
            objectId: outstanding.userId,
            after: { jti: claims.jti, sessions_revoked: true },
            requestId: trail.requestId,
          },
          transaction,
        );
        return 'reused' as const;
      }
      const user = await User.findByPk(outstanding.userId, { transaction });
      if (!user || !user.isActive) return 'invalid' as const;
      await BlacklistedToken.create({ tokenId: outstanding.id }, { transaction });
      const pair = await this.issueTokens(user, transaction);
      await this.rotationGrace.remember(outstanding.id, pair, transaction);
      return pair;
    });
    if (outcome === 'invalid') throw AppError.tokenNotValid('Token is invalid or expired');
    if (outcome === 'blacklisted') throw AppError.tokenNotValid('Token is blacklisted');
    if (outcome === 'reused') {
      this.signInRecords.invalidate();
      throw AppError.tokenNotValid('Token is blacklisted');
    }
    return { access: outcome.access, refresh: outcome.refresh };
  }

  /** Ends the refresh token given (or all of them) and the access token of the request (or all of them). */
  async logout(user: AuthUser, session: AccessSession, input: LogoutInput): Promise<{ message: string }> {
    if (!input.refresh) throw new AppError('BAD_REQUEST', 'Refresh token is required');
    const claims = verifyToken(this.settings, input.refresh, 'refresh');
    if (!claims || claims.user_id !== user.id) {
      throw new AppError('BAD_REQUEST', 'Invalid token or already blacklisted: Token is invalid or expired');
    }
    const logout = this.sequelize.transaction(async (transaction) => {
      const outstanding = await OutstandingToken.findOne({
        where: { jti: claims.jti },
        lock: transaction.LOCK.UPDATE,
        transaction,
      });
      if (!outstanding) {
        throw new AppError('BAD_REQUEST', 'Invalid token or already blacklisted: Token is invalid or expired');
      }
      if (await this.isBlacklisted(outstanding.id, transaction)) {
        throw new AppError('BAD_REQUEST', 'Invalid token or already blacklisted: Token is blacklisted');
      }
      if (input.all_devices) {
        await revokeAllSessions(this.sequelize, user.id, transaction);
      } else {
        await BlacklistedToken.create({ tokenId: outstanding.id }, { transaction });
        await revokeAccessToken(this.sequelize, { userId: user.id, ...session }, transaction);
      }
    });
    await this.signInRecords.invalidateAfter(logout);
    return { message: LOGGED_OUT };
  }

  /** Resolves an `Authorization` header to the active user it names, or throws the DRF-style 401. */
  async authenticate(authorization: string | undefined): Promise<AuthUser> {
    return (await this.authenticateSession(authorization)).user;
  }

  /** authenticate(), plus the access token's id and expiry (what a single-device logout ends). */
  async authenticateSession(authorization: string | undefined): Promise<{ user: AuthUser; session: AccessSession }> {
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match?.[1]) throw new AppError('UNAUTHORIZED', 'Authentication credentials were not provided.');
    const claims = this.accessTokens.verify(match[1]);
    if (!claims) throw AppError.tokenNotValid();
    const userId = claims.user_id;
    const record = await this.signInRecords.get(String(userId), () => readSignInRecord(this.sequelize, userId));
    if (!record) throw AppError.tokenNotValid('User not found');
    if (!record.isActive) throw AppError.tokenNotValid('User is inactive');
    if (isAccessTokenRevoked(claims, record)) throw AppError.tokenNotValid('Token has been revoked');
    return { user: { ...record.user }, session: { jti: claims.jti, exp: claims.exp } };
  }

  /**
   * Deletes outstanding tokens (and their blacklist rows) and ended access tokens that expired before now, and
   * sign-in counts whose window is long over; returns how many tokens went.
   */
  async deleteExpiredTokens(): Promise<number> {
    await this.sequelize.query('DELETE FROM revoked_access_tokens WHERE expires_at < now()');
    await this.sequelize.query(
      `DELETE FROM login_attempts
        WHERE window_started_at < now() - make_interval(secs => :window) - interval '1 hour'
          AND (next_allowed_at IS NULL OR next_allowed_at < now())`,
      { replacements: { window: this.settings.loginFailureWindowSeconds } },
    );
    return OutstandingToken.destroy({ where: { expiresAt: { [Op.lt]: new Date() } } });
  }

  // ---- internals ------------------------------------------------------------------------------------------

  /**
   * The user when the password matches an active account. Every attempt is admitted (and counted) by the login
   * throttle before the password is checked, whether or not the account exists: unknown and known names answer alike.
   */
  private async checkCredentials(
    username: string,
    password: string,
    clientIp: string,
    trail: AuditTrail,
  ): Promise<User | undefined> {
    const admission = await this.throttle.admit(username, clientIp);
    this.refuseIfThrottled(admission);
    const user = await User.findOne({ where: { username } });
    const hash = user?.password ?? (await this.getDummyHash());
    const ok = await bcrypt.compare(password, hash);
    if (!user || !ok || !user.isActive) {
      // The failed check that used this client's last attempt locks it out: recorded once, when it happens.
      if (admission.attempts === this.settings.loginMaxFailures) await this.recordLockout(username, user, trail);
      return undefined;
    }
    await Promise.all([
      this.throttle.forget(username, clientIp),
      User.update({ lastLogin: new Date() }, { where: { id: user.id }, hooks: false, silent: true }),
    ]);
    return user;
  }

  /** The single point where a sign-in is refused for too many attempts (the place for an auth.lockout audit entry). */
  private refuseIfThrottled(
    admission: LoginAdmission,
  ): asserts admission is Extract<LoginAdmission, { admitted: true }> {
    if (admission.admitted) return;
    const { retryAfter } = admission;
    throw new AppError('TOO_MANY_REQUESTS', `Request was throttled. Expected available in ${retryAfter} seconds.`, {
      retryAfter,
    });
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash('holdfast-timing-equaliser', this.settings.bcryptCost);
    return this.dummyHash;
  }

  private async recordLockout(username: string, user: User | null, trail: AuditTrail): Promise<void> {
    if (!this.audit.enabled) return;
    const entry: AuditRecord = {
      actorId: null,
      action: 'auth.lockout',
      objectType: 'auth',
      objectId: user?.id ?? null,
      after: {
        username: accountKey(username),
        failures: this.settings.loginMaxFailures,
        window_seconds: this.settings.loginFailureWindowSeconds,
      },
      requestId: trail.requestId,
    };
    await this.sequelize.transaction((transaction) => this.audit.record(entry, transaction));
  }

  private async issueTokens(user: User, transaction?: Transaction): Promise<TokenPair> {
    // Never issued before the user's last revocation (same second included), or the new session would be born dead.
    const issuedAtMs = sessionIssuedAt(Date.now(), user.tokensValidAfter) * 1000;
    const refresh = signToken(this.settings, 'refresh', user.id, issuedAtMs);
    const access = signToken(this.settings, 'access', user.id, issuedAtMs);
    await OutstandingToken.create(
      { userId: user.id, jti: refresh.claims.jti, expiresAt: new Date(refresh.claims.exp * 1000) },
      { transaction },
    );
    return { refresh: refresh.token, access: access.token };
  }

  private async isBlacklisted(tokenId: string, transaction: Transaction): Promise<boolean> {
    return (await BlacklistedToken.count({ where: { tokenId }, transaction })) > 0;
  }
}

/** The fields of a user that audit entries show (never the password hash). */
export function userAuditState(u: User): Record<string, unknown> {
  return {
    username: u.username,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    is_active: u.isActive,
    is_superuser: u.isSuperuser,
  };
}

async function readSignInRecord(sequelize: Sequelize, id: number): Promise<SignInRecord> {
  // One round trip: the row and the access tokens ended one by one (few: only single-device logouts in the last hour).
  const [row] = await sequelize.query<{
    id: number;
    username: string;
    email: string;
    is_superuser: boolean;
    is_active: boolean;
    valid_after: number | null;
    revoked: string[];
  }>(
    `SELECT id, username, email, is_superuser, is_active,
            extract(epoch FROM tokens_valid_after)::float8 AS valid_after,
            ARRAY(SELECT jti::text FROM revoked_access_tokens r WHERE r.user_id = u.id AND r.expires_at > now()) AS revoked
       FROM "users" AS u WHERE id = :id`,
    { type: QueryTypes.SELECT, replacements: { id } },
  );
  if (!row) return null;
  const user = Object.freeze({ id: row.id, username: row.username, email: row.email, isSuperuser: row.is_superuser });
  return {
    user,
    isActive: row.is_active,
    validAfterSeconds: row.valid_after === null ? null : Math.ceil(row.valid_after),
    revokedJtis: new Set(row.revoked),
  };
}
