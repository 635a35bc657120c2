"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuthService = exports.AUTH_USER_CACHE_MAX_ENTRIES = void 0;
exports.userAuditState = userAuditState;
// Users, passwords and JWT sessions. Refresh tokens are recorded as outstanding and blacklisted on rotation and
// logout; reusing a rotated one revokes all of the user's refresh tokens (it means a copy is in someone's hands).
const bcrypt_1 = __importDefault(require("bcrypt"));
const sequelize_1 = require("sequelize");
const errors_1 = require("../../errors");
const read_through_cache_1 = require("../../read-through-cache");
const audit_service_1 = require("../audit/audit.service");
const auth_model_1 = require("./auth.model");
const auth_schema_1 = require("./auth.schema");
const password_policy_1 = require("./password-policy");
const tokens_1 = require("./tokens");
const verified_tokens_1 = require("./verified-tokens");
/** Users whose rows authenticate() keeps at once: ~200 bytes each. */
exports.AUTH_USER_CACHE_MAX_ENTRIES = 10_000;
const REGISTERED = 'User registered successfully. Please login to get access token.';
const LOGGED_OUT = 'Successfully logged out. Token has been blacklisted.';
class AuthService {
    sequelize;
    settings;
    audit;
    /** A hash to compare against when the username is unknown, so both cases take the same time. */
    dummyHash;
    /**
     * Every authenticated request needs the user's row; this process reuses it for userCacheMs and forgets all of them
     * whenever it changes a user itself. A change made elsewhere (another process, SQL) applies within userCacheMs.
     */
    /** Forgotten whole after any user write here (users change rarely, so all go, not just the one). */
    signInRecords;
    accessTokens;
    constructor(sequelize, settings, audit) {
        this.sequelize = sequelize;
        this.settings = settings;
        this.audit = audit;
        this.signInRecords = new read_through_cache_1.ReadThroughCache({
            ttlMs: settings.userCacheMs,
            maxEntries: exports.AUTH_USER_CACHE_MAX_ENTRIES,
            ...(settings.now ? { now: settings.now } : {}),
        });
        this.accessTokens = new verified_tokens_1.VerifiedAccessTokens(settings, settings.now);
    }
    // ---- accounts -------------------------------------------------------------------------------------------
    async register(input, trail = {}) {
        const user = await this.createUser({
            username: input.username,
            email: input.email,
            password: input.password,
            password2: input.password2,
            firstName: input.first_name,
            lastName: input.last_name,
        }, { ...trail, selfRegistered: true });
        return { user: (0, auth_schema_1.toUserDto)(user), message: REGISTERED };
    }
    /**
     * Validates like the register endpoint (uniqueness, password match, password policy) and creates the user. The
     * audit entry names the new user as actor when they registered themselves, else the system (CLI, tests).
     */
    async createUser(input, by = {}) {
        const fields = {};
        const [usernameTaken, emailTaken] = await Promise.all([
            auth_model_1.User.count({ where: { username: input.username } }),
            auth_model_1.User.count({
                where: this.sequelize.where(this.sequelize.fn('lower', this.sequelize.col('email')), input.email.toLowerCase()),
            }),
        ]);
        if (usernameTaken > 0)
            fields.username = ['A user with that username already exists.'];
        if (emailTaken > 0)
            fields.email = ['User with this email already exists.'];
        if (Object.keys(fields).length > 0)
            throw errors_1.AppError.validation(fields);
        if (input.password2 !== undefined && input.password !== input.password2) {
            throw errors_1.AppError.validation({ password: ["Password fields didn't match."] });
        }
        const problems = (0, password_policy_1.passwordProblems)(input.password, input);
        if (problems.length > 0)
            throw errors_1.AppError.validation({ password: problems });
        const hash = await bcrypt_1.default.hash(input.password, this.settings.bcryptCost);
        try {
            return await this.signInRecords.invalidateAfter(this.sequelize.transaction(async (transaction) => {
                const user = await auth_model_1.User.create({
                    username: input.username,
                    email: input.email,
                    password: hash,
                    firstName: input.firstName ?? '',
                    lastName: input.lastName ?? '',
                    isSuperuser: input.isSuperuser ?? false,
                }, { transaction });
                await this.audit.record({
                    actorId: by.selfRegistered ? user.id : null,
                    action: 'user.register',
                    objectType: 'user',
                    objectId: user.id,
                    after: userAuditState(user),
                    requestId: by.requestId,
                }, transaction);
                return user;
            }));
        }
        catch (err) {
            // Two registrations raced past the checks above; the unique indexes decide.
            if (err instanceof sequelize_1.UniqueConstraintError) {
                const onEmail = JSON.stringify(err.fields).includes('email');
                throw errors_1.AppError.validation(onEmail
                    ? { email: ['User with this email already exists.'] }
                    : { username: ['A user with that username already exists.'] });
            }
            throw err;
        }
    }
    async setPassword(username, password) {
        const user = await auth_model_1.User.findOne({ where: { username } });
        if (!user)
            throw errors_1.AppError.notFound(`No user named "${username}".`);
        await this.changePassword(user, password, audit_service_1.SYSTEM);
    }
    /**
     * Sets a user's password (the four validators), ends every session the old one opened, and records it (never the
     * hash) — all in one transaction.
     */
    async changePassword(user, password, by) {
        const problems = (0, password_policy_1.passwordProblems)(password, user);
        if (problems.length > 0)
            throw errors_1.AppError.validation({ password: problems });
        const hash = await bcrypt_1.default.hash(password, this.settings.bcryptCost);
        await this.signInRecords.invalidateAfter(this.sequelize.transaction(async (transaction) => {
            await auth_model_1.User.update({ password: hash }, { where: { id: user.id }, transaction });
            await this.revokeAllRefreshTokens(user.id, transaction);
            await this.audit.record({
                actorId: by.actorId,
                action: 'user.set_password',
                objectType: 'user',
                objectId: user.id,
                after: { sessions_revoked: true },
                requestId: by.requestId,
            }, transaction);
        }));
    }
    /** The CLI's activate/deactivate (actor: the system); the back office goes through UserAdminService. */
    async setActive(username, active) {
        const found = await this.signInRecords.invalidateAfter(this.sequelize.transaction(async (transaction) => {
            const user = await auth_model_1.User.findOne({ where: { username }, transaction, lock: transaction.LOCK.UPDATE });
            if (!user)
                return false;
            const before = userAuditState(user);
            user.isActive = active;
            await user.save({ transaction });
            if (!active)
                await this.revokeAllRefreshTokens(user.id, transaction);
            await this.audit.record({
                actorId: null,
                action: 'user.update',
                objectType: 'user',
                objectId: user.id,
                before,
                after: userAuditState(user),
            }, transaction);
            return true;
        }));
        if (!found)
            throw errors_1.AppError.notFound(`No user named "${username}".`);
    }
    /** Clears this process's cached sign-in records once `write` settles (a user row changed). */
    forgetSignInRecordsAfter(write) {
        return this.signInRecords.invalidateAfter(write);
    }
    async me(user) {
        const row = await auth_model_1.User.findByPk(user.id);
        if (!row)
            throw errors_1.AppError.tokenNotValid('User not found');
        return (0, auth_schema_1.toUserDto)(row);
    }
    // ---- sessions -------------------------------------------------------------------------------------------
    /** The old /api/auth/users/login/: a missing field is 400, bad credentials 401 {"error":"Invalid credentials"}. */
    async login(input, trail = {}) {
        if (!input.username || !input.password) {
            throw new errors_1.AppError('BAD_REQUEST', 'Username and password are required');
        }
        const user = await this.checkCredentials(input.username, input.password, trail);
        if (!user)
            throw new errors_1.AppError('UNAUTHORIZED', 'Invalid credentials', { rest: 'error' });
        return { user: (0, auth_schema_1.toUserDto)(user), ...(await this.issueTokens(user.id)) };
    }
    /** simplejwt's TokenObtainPairView (/api/token/). */
    async obtainToken(input, trail = {}) {
        const user = await this.checkCredentials(input.username, input.password, trail);
        if (!user)
            throw new errors_1.AppError('UNAUTHORIZED', 'No active account found with the given credentials');
        return this.issueTokens(user.id);
    }
    async refresh(token, trail = {}) {
        const claims = (0, tokens_1.verifyToken)(this.settings, token, 'refresh');
        if (!claims)
            throw errors_1.AppError.tokenNotValid('Token is invalid or expired');
        const outcome = await this.sequelize.transaction(async (transaction) => {
            // The row lock makes two refreshes of one token take turns: the second sees it blacklisted.
            const outstanding = await auth_model_1.OutstandingToken.findOne({
                where: { jti: claims.jti },
                lock: transaction.LOCK.UPDATE,
                transaction,
            });
            if (!outstanding)
                return 'invalid';
            if (await this.isBlacklisted(outstanding.id, transaction)) {
                await this.revokeAllRefreshTokens(outstanding.userId, transaction);
                // The presenter is unknown (it may be the thief): the actor is the system, the object the account.
                await this.audit.record({
                    actorId: null,
                    action: 'auth.refresh_reuse',
                    objectType: 'auth',
                    objectId: outstanding.userId,
                    after: { jti: claims.jti, sessions_revoked: true },
                    requestId: trail.requestId,
                }, transaction);
                return 'reused';
            }
            const user = await auth_model_1.User.findByPk(outstanding.userId, { transaction });
            if (!user || !user.isActive)
                return 'invalid';
            await auth_model_1.BlacklistedToken.create({ tokenId: outstanding.id }, { transaction });
            return this.issueTokens(user.id, transaction);
        });
        if (outcome === 'invalid')
            throw errors_1.AppError.tokenNotValid('Token is invalid or expired');
        if (outcome === 'reused')
            throw errors_1.AppError.tokenNotValid('Token is blacklisted');
        return { access: outcome.access, refresh: outcome.refresh };
    }
    async logout(user, input) {
        if (!input.refresh)
            throw new errors_1.AppError('BAD_REQUEST', 'Refresh token is required');
        const claims = (0, tokens_1.verifyToken)(this.settings, input.refresh, 'refresh');
        if (!claims || claims.user_id !== user.id) {
            throw new errors_1.AppError('BAD_REQUEST', 'Invalid token or already blacklisted: Token is invalid or expired');
        }
        await this.sequelize.transaction(async (transaction) => {
            const outstanding = await auth_model_1.OutstandingToken.findOne({
                where: { jti: claims.jti },
                lock: transaction.LOCK.UPDATE,
                transaction,
            });
            if (!outstanding) {
                throw new errors_1.AppError('BAD_REQUEST', 'Invalid token or already blacklisted: Token is invalid or expired');
            }
            if (await this.isBlacklisted(outstanding.id, transaction)) {
                throw new errors_1.AppError('BAD_REQUEST', 'Invalid token or already blacklisted: Token is blacklisted');
            }
            if (input.all_devices)
                await this.revokeAllRefreshTokens(user.id, transaction);
            else
                await auth_model_1.BlacklistedToken.create({ tokenId: outstanding.id }, { transaction });
        });
        return { message: LOGGED_OUT };
    }
    /** Resolves an `Authorization` header to the active user it names, or throws the DRF-style 401. */
    async authenticate(authorization) {
        const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
        if (!match?.[1])
            throw new errors_1.AppError('UNAUTHORIZED', 'Authentication credentials were not provided.');
        const claims = this.accessTokens.verify(match[1]);
        if (!claims)
            throw errors_1.AppError.tokenNotValid();
        const userId = claims.user_id;
        const record = await this.signInRecords.get(String(userId), () => readSignInRecord(userId));
        if (!record)
            throw errors_1.AppError.tokenNotValid('User not found');
        if (!record.isActive)
            throw errors_1.AppError.tokenNotValid('User is inactive');
        return { ...record.user };
    }
    /** Deletes outstanding tokens (and their blacklist rows) that expired before now; returns how many. */
    async deleteExpiredTokens() {
        return auth_model_1.OutstandingToken.destroy({ where: { expiresAt: { [sequelize_1.Op.lt]: new Date() } } });
    }
    // ---- internals ------------------------------------------------------------------------------------------
    /**
     * The user when the password matches an active account. Failures are counted per username in PostgreSQL (so
     * every API process sees them) whether or not the account exists: unknown and known names answer alike.
     */
    async checkCredentials(username, password, trail) {
        // Lower-casing can lengthen a string ("İ" → "i̇"); the key column is varchar(150).
        const key = username.toLowerCase().slice(0, 150);
        const retryAfter = await this.lockedOutFor(key);
        if (retryAfter > 0) {
            throw new errors_1.AppError('TOO_MANY_REQUESTS', `Request was throttled. Expected available in ${retryAfter} seconds.`, {
                retryAfter,
            });
        }
        const user = await auth_model_1.User.findOne({ where: { username } });
        const hash = user?.password ?? (await this.getDummyHash());
        const ok = await bcrypt_1.default.compare(password, hash);
        if (!user || !ok || !user.isActive) {
            await this.recordFailure(key, user?.id ?? null, trail);
            return undefined;
        }
        await this.sequelize.query('DELETE FROM login_failures WHERE username_key = :key; UPDATE users SET last_login = now() WHERE id = :id', { replacements: { key, id: user.id } });
        return user;
    }
    getDummyHash() {
        this.dummyHash ??= bcrypt_1.default.hash('holdfast-timing-equaliser', this.settings.bcryptCost);
        return this.dummyHash;
    }
    async lockedOutFor(key) {
        const rows = await this.sequelize.query(`SELECT ceil(extract(epoch FROM window_started_at + make_interval(secs => :window) - now()))::int AS retry_after
         FROM login_failures
        WHERE username_key = :key AND failures >= :max
          AND window_started_at + make_interval(secs => :window) > now()`, {
            type: sequelize_1.QueryTypes.SELECT,
            replacements: { key, window: this.settings.loginFailureWindowSeconds, max: this.settings.loginMaxFailures },
        });
        return Math.max(rows[0]?.retry_after ?? 0, 0);
    }
    async recordFailure(key, userId, trail) {
        // A window starts at the first failure; once it has passed, the count starts again. The failure that reaches
        // the limit locks the account out, and the same statement records it (an unknown username is recorded too:
        // someone is guessing).
        await this.sequelize.query(`WITH counted AS (
         INSERT INTO login_failures (username_key, failures, window_started_at) VALUES (:key, 1, now())
         ON CONFLICT (username_key) DO UPDATE SET
           failures = CASE WHEN login_failures.window_started_at + make_interval(secs => :window) <= now()
                           THEN 1 ELSE login_failures.failures + 1 END,
           window_started_at = CASE WHEN login_failures.window_started_at + make_interval(secs => :window) <= now()
                                    THEN now() ELSE login_failures.window_started_at END
         RETURNING failures
       )${this.audit.enabled
            ? `
       INSERT INTO audit_log (actor_id, action, object_type, object_id, after, request_id)
       SELECT NULL, 'auth.lockout', 'auth', :userId,
              jsonb_build_object('username', :key::text, 'failures', failures, 'window_seconds', :window::int),
              :requestId
         FROM counted WHERE failures = :max`
            : ' SELECT 1 FROM counted'}`, {
            replacements: {
                key,
                window: this.settings.loginFailureWindowSeconds,
                userId,
                max: this.settings.loginMaxFailures,
                requestId: trail.requestId ?? null,
            },
        });
    }
    async issueTokens(userId, transaction) {
        const refresh = (0, tokens_1.signToken)(this.settings, 'refresh', userId);
        const access = (0, tokens_1.signToken)(this.settings, 'access', userId);
        await auth_model_1.OutstandingToken.create({ userId, jti: refresh.claims.jti, expiresAt: new Date(refresh.claims.exp * 1000) }, { transaction });
        return { refresh: refresh.token, access: access.token };
    }
    async isBlacklisted(tokenId, transaction) {
        return (await auth_model_1.BlacklistedToken.count({ where: { tokenId }, transaction })) > 0;
    }
    /** Blacklists every outstanding refresh token of the user (sign out everywhere). */
    async revokeAllRefreshTokens(userId, transaction) {
        await this.sequelize.query(`INSERT INTO blacklisted_tokens (token_id)
       SELECT id FROM outstanding_tokens WHERE user_id = :userId AND expires_at > now()
       ON CONFLICT (token_id) DO NOTHING`, { replacements: { userId }, transaction });
    }
}
exports.AuthService = AuthService;
/** The fields of a user that audit entries show (never the password hash). */
function userAuditState(u) {
    return {
        username: u.username,
        email: u.email,
        first_name: u.firstName,
        last_name: u.lastName,
        is_active: u.isActive,
        is_superuser: u.isSuperuser,
    };
}
async function readSignInRecord(id) {
    const row = await auth_model_1.User.findByPk(id, { attributes: ['id', 'username', 'email', 'isSuperuser', 'isActive'] });
    if (!row)
        return null;
    const user = Object.freeze({ id: row.id, username: row.username, email: row.email, isSuperuser: row.isSuperuser });
    return { user, isActive: row.isActive };
}
