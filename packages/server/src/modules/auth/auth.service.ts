// Users, passwords and JWT sessions. Refresh tokens are recorded as outstanding and blacklisted on rotation and
// logout; reusing a rotated one revokes all of the user's refresh tokens (it means a copy is in someone's hands).
import bcrypt from 'bcrypt';
import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { AppError, type FieldErrors } from '../../errors';
import { ReadThroughCache } from '../../read-through-cache';
import type { AuthUser } from './auth-user';
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
import { passwordProblems } from './password-policy';
import { RefreshRotationGrace } from './refresh-grace';
import { signToken, verifyToken, type TokenSettings } from './tokens';
import { VerifiedAccessTokens } from './verified-tokens';

export interface AuthSettings extends TokenSettings {
  bcryptCost: number;
  loginMaxFailures: number;
  loginFailureWindowSeconds: number;
  /** How long authenticate() may reuse a user's row (AUTH_USER_CACHE_MS); 0 reads it on every request. */
  userCacheMs: number;
  /** The clock of that cache and of reused access tokens' expiry, in ms (tests step a fake one). */
  now?: () => number;
  /** REFRESH_REUSE_GRACE_SECONDS (see refresh-grace.ts); 0 or absent = strict rotation. */
  refreshReuseGraceSeconds?: number;
}

/** Users whose rows authenticate() keeps at once: ~200 bytes each. */
export const AUTH_USER_CACHE_MAX_ENTRIES = 10_000;

/** What authenticate() needs of a user row; null when the row is gone. */
type SignInRecord = { user: Readonly<AuthUser>; isActive: boolean } | null;

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
  private readonly rotationGrace: RefreshRotationGrace;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: AuthSettings,
  ) {
    this.signInRecords = new ReadThroughCache({
      ttlMs: settings.userCacheMs,
      maxEntries: AUTH_USER_CACHE_MAX_ENTRIES,
      ...(settings.now ? { now: settings.now } : {}),
    });
    this.accessTokens = new VerifiedAccessTokens(settings, settings.now);
    this.rotationGrace = new RefreshRotationGrace(sequelize, {
      ...settings,
      graceSeconds: settings.refreshReuseGraceSeconds ?? 0,
    });
  }

  // ---- accounts -------------------------------------------------------------------------------------------

  async register(input: RegisterInput): Promise<{ user: UserDto; message: string }> {
    const user = await this.createUser({
      username: input.username,
      email: input.email,
      password: input.password,
      password2: input.password2,
      firstName: input.first_name,
      lastName: input.last_name,
    });
    return { user: toUserDto(user), message: REGISTERED };
  }

  /** Validates like the register endpoint (uniqueness, password match, password policy) and creates the user. */
  async createUser(input: NewUser & { password2?: string }): Promise<User> {
    const fields: FieldErrors = {};
    const [usernameTaken, emailTaken] = await Promise.all([
      User.count({ where: { username: input.username } }),
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
        User.create({
          username: input.username,
          email: input.email,
          password: hash,
          firstName: input.firstName ?? '',
          lastName: input.lastName ?? '',
          isSuperuser: input.isSuperuser ?? false,
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
    const problems = passwordProblems(password, user);
    if (problems.length > 0) throw AppError.validation({ password: problems });
    user.password = await bcrypt.hash(password, this.settings.bcryptCost);
    await this.signInRecords.invalidateAfter(user.save());
    // A new password ends every session that the old one opened.
    await this.revokeAllRefreshTokens(user.id);
  }

  async setActive(username: string, active: boolean): Promise<void> {
    const [count] = await this.signInRecords.invalidateAfter(
      User.update({ isActive: active }, { where: { username } }),
    );
    if (count === 0) throw AppError.notFound(`No user named "${username}".`);
  }

  async me(user: AuthUser): Promise<UserDto> {
    const row = await User.findByPk(user.id);
    if (!row) throw AppError.tokenNotValid('User not found');
    return toUserDto(row);
  }

  // ---- sessions -------------------------------------------------------------------------------------------

  /** The old /api/auth/users/login/: a missing field is 400, bad credentials 401 {"error":"Invalid credentials"}. */
  async login(input: LoginInput): Promise<{ user: UserDto; refresh: string; access: string }> {
    if (!input.username || !input.password) {
      throw new AppError('BAD_REQUEST', 'Username and password are required');
    }
    const user = await this.checkCredentials(input.username, input.password);
    if (!user) throw new AppError('UNAUTHORIZED', 'Invalid credentials', { rest: 'error' });
    return { user: toUserDto(user), ...(await this.issueTokens(user.id)) };
  }

  /** simplejwt's TokenObtainPairView (/api/token/). */
  async obtainToken(input: TokenInput): Promise<TokenPair> {
    const user = await this.checkCredentials(input.username, input.password);
    if (!user) throw new AppError('UNAUTHORIZED', 'No active account found with the given credentials');
    return this.issueTokens(user.id);
  }

  async refresh(token: string): Promise<{ access: string; refresh: string }> {
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
        await this.revokeAllRefreshTokens(outstanding.userId, transaction);
        return 'blacklisted' as const;
      }
      const user = await User.findByPk(outstanding.userId, { transaction });
      if (!user || !user.isActive) return 'invalid' as const;
      await BlacklistedToken.create({ tokenId: outstanding.id }, { transaction });
      const pair = await this.issueTokens(user.id, transaction);
      await this.rotationGrace.remember(outstanding.id, pair, transaction);
      return pair;
    });
    if (outcome === 'invalid') throw AppError.tokenNotValid('Token is invalid or expired');
    if (outcome === 'blacklisted') throw AppError.tokenNotValid('Token is blacklisted');
    return { access: outcome.access, refresh: outcome.refresh };
  }

  async logout(user: AuthUser, input: LogoutInput): Promise<{ message: string }> {
    if (!input.refresh) throw new AppError('BAD_REQUEST', 'Refresh token is required');
    const claims = verifyToken(this.settings, input.refresh, 'refresh');
    if (!claims || claims.user_id !== user.id) {
      throw new AppError('BAD_REQUEST', 'Invalid token or already blacklisted: Token is invalid or expired');
    }
    await this.sequelize.transaction(async (transaction) => {
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
      if (input.all_devices) await this.revokeAllRefreshTokens(user.id, transaction);
      else await BlacklistedToken.create({ tokenId: outstanding.id }, { transaction });
    });
    return { message: LOGGED_OUT };
  }

  /** Resolves an `Authorization` header to the active user it names, or throws the DRF-style 401. */
  async authenticate(authorization: string | undefined): Promise<AuthUser> {
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match?.[1]) throw new AppError('UNAUTHORIZED', 'Authentication credentials were not provided.');
    const claims = this.accessTokens.verify(match[1]);
    if (!claims) throw AppError.tokenNotValid();
    const userId = claims.user_id;
    const record = await this.signInRecords.get(String(userId), () => readSignInRecord(userId));
    if (!record) throw AppError.tokenNotValid('User not found');
    if (!record.isActive) throw AppError.tokenNotValid('User is inactive');
    return { ...record.user };
  }

  /** Deletes outstanding tokens (and their blacklist rows) that expired before now; returns how many. */
  async deleteExpiredTokens(): Promise<number> {
    return OutstandingToken.destroy({ where: { expiresAt: { [Op.lt]: new Date() } } });
  }

  // ---- internals ------------------------------------------------------------------------------------------

  /**
   * The user when the password matches an active account. Failures are counted per username in PostgreSQL (so
   * every API process sees them) whether or not the account exists: unknown and known names answer alike.
   */
  private async checkCredentials(username: string, password: string): Promise<User | undefined> {
    // Lower-casing can lengthen a string ("İ" → "i̇"); the key column is varchar(150).
    const key = username.toLowerCase().slice(0, 150);
    const retryAfter = await this.lockedOutFor(key);
    if (retryAfter > 0) {
      throw new AppError('TOO_MANY_REQUESTS', `Request was throttled. Expected available in ${retryAfter} seconds.`, {
        retryAfter,
      });
    }
    const user = await User.findOne({ where: { username } });
    const hash = user?.password ?? (await this.getDummyHash());
    const ok = await bcrypt.compare(password, hash);
    if (!user || !ok || !user.isActive) {
      await this.recordFailure(key);
      return undefined;
    }
    await this.sequelize.query('DELETE FROM login_failures WHERE username_key = :key', {
      replacements: { key },
    });
    return user;
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash('holdfast-timing-equaliser', this.settings.bcryptCost);
    return this.dummyHash;
  }

  private async lockedOutFor(key: string): Promise<number> {
    const rows = await this.sequelize.query<{ retry_after: number }>(
      `SELECT ceil(extract(epoch FROM window_started_at + make_interval(secs => :window) - now()))::int AS retry_after
         FROM login_failures
        WHERE username_key = :key AND failures >= :max
          AND window_started_at + make_interval(secs => :window) > now()`,
      {
        type: QueryTypes.SELECT,
        replacements: { key, window: this.settings.loginFailureWindowSeconds, max: this.settings.loginMaxFailures },
      },
    );
    return Math.max(rows[0]?.retry_after ?? 0, 0);
  }

  private async recordFailure(key: string): Promise<void> {
    // A window starts at the first failure; once it has passed, the count starts again.
    await this.sequelize.query(
      `INSERT INTO login_failures (username_key, failures, window_started_at) VALUES (:key, 1, now())
       ON CONFLICT (username_key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_started_at + make_interval(secs => :window) <= now()
                         THEN 1 ELSE login_failures.failures + 1 END,
         window_started_at = CASE WHEN login_failures.window_started_at + make_interval(secs => :window) <= now()
                                  THEN now() ELSE login_failures.window_started_at END`,
      { replacements: { key, window: this.settings.loginFailureWindowSeconds } },
    );
  }

  private async issueTokens(userId: number, transaction?: Transaction): Promise<TokenPair> {
    const refresh = signToken(this.settings, 'refresh', userId);
    const access = signToken(this.settings, 'access', userId);
    await OutstandingToken.create(
      { userId, jti: refresh.claims.jti, expiresAt: new Date(refresh.claims.exp * 1000) },
      { transaction },
    );
    return { refresh: refresh.token, access: access.token };
  }

  private async isBlacklisted(tokenId: string, transaction: Transaction): Promise<boolean> {
    return (await BlacklistedToken.count({ where: { tokenId }, transaction })) > 0;
  }

  private async revokeAllRefreshTokens(userId: number, transaction?: Transaction): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO blacklisted_tokens (token_id)
       SELECT id FROM outstanding_tokens WHERE user_id = :userId AND expires_at > now()
       ON CONFLICT (token_id) DO NOTHING`,
      { replacements: { userId }, transaction },
    );
  }
}

async function readSignInRecord(id: number): Promise<SignInRecord> {
  const row = await User.findByPk(id, { attributes: ['id', 'username', 'email', 'isSuperuser', 'isActive'] });
  if (!row) return null;
  const user = Object.freeze({ id: row.id, username: row.username, email: row.email, isSuperuser: row.isSuperuser });
  return { user, isActive: row.isActive };
}
