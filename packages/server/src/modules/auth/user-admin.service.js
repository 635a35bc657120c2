"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.UserAdminService = void 0;
exports.toAdminUserDto = toAdminUserDto;
// The back office's user management: search, edit (activation, superuser, email, names) and set a password.
// Two rules protect access to the back office itself: nobody deactivates or demotes themselves, and the last active
// superuser stays. The second is decided under one advisory lock, so two admins demoting each other at once cannot
// both succeed.
const sequelize_1 = require("sequelize");
const like_pattern_1 = require("../../db/like-pattern");
const errors_1 = require("../../errors");
const iso_time_1 = require("../../iso-time");
const pagination_1 = require("../../pagination");
const auth_model_1 = require("./auth.model");
const auth_service_1 = require("./auth.service");
const auth_schema_1 = require("./auth.schema");
/** Serializes every change that can remove an active superuser. */
const SUPERUSER_LOCK_KEY = 7_410_016;
function toAdminUserDto(u) {
    return {
        ...(0, auth_schema_1.toUserDto)(u),
        is_active: u.isActive,
        is_superuser: u.isSuperuser,
        last_login: u.lastLogin ? (0, iso_time_1.isoUtc)(u.lastLogin) : null,
    };
}
class UserAdminService {
    sequelize;
    auth;
    audit;
    constructor(sequelize, auth, audit) {
        this.sequelize = sequelize;
        this.auth = auth;
        this.audit = audit;
    }
    async list(filters, page) {
        const pageNo = filters.page ?? 1;
        const where = {};
        if (filters.is_active !== undefined)
            where.isActive = filters.is_active;
        if (filters.is_superuser !== undefined)
            where.isSuperuser = filters.is_superuser;
        if (filters.q) {
            const pattern = (0, like_pattern_1.containsPattern)(filters.q);
            Object.assign(where, {
                [sequelize_1.Op.or]: ['username', 'email', 'firstName', 'lastName'].map((f) => ({ [f]: { [sequelize_1.Op.iLike]: pattern } })),
            });
        }
        const [rows, count] = await Promise.all([
            auth_model_1.User.findAll({ where, order: [['id', 'ASC']], limit: pagination_1.PAGE_SIZE, offset: (0, pagination_1.pageOffset)(pageNo) }),
            auth_model_1.User.count({ where }),
        ]);
        return (0, pagination_1.toPage)({
            ...page,
            page: pageNo,
            query: {
                q: filters.q,
                is_active: filters.is_active === undefined ? undefined : String(filters.is_active),
                is_superuser: filters.is_superuser === undefined ? undefined : String(filters.is_superuser),
            },
        }, count, rows.map(toAdminUserDto));
    }
    /**
     * Applies the changes in one transaction with their audit entry. Deactivation revokes the user's refresh tokens
     * there too; their access tokens stop because authenticate() refuses inactive users.
     */
    async update(admin, id, changes, trail = {}) {
        const losesAccess = changes.is_active === false || changes.is_superuser === false;
        const write = this.sequelize.transaction(async (transaction) => {
            if (losesAccess) {
                await this.sequelize.query('SELECT pg_advisory_xact_lock(:key)', {
                    replacements: { key: SUPERUSER_LOCK_KEY },
                    transaction,
                });
            }
            const user = await auth_model_1.User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
            if (!user)
                throw errors_1.AppError.notFound();
            if (losesAccess && user.isActive && user.isSuperuser) {
                const rows = await this.sequelize.query('SELECT count(*)::int AS n FROM users WHERE is_superuser AND is_active AND id <> :id', { type: sequelize_1.QueryTypes.SELECT, replacements: { id }, transaction });
                if ((rows[0]?.n ?? 0) === 0) {
                    throw new errors_1.AppError('LAST_SUPERUSER', 'The last active superuser cannot be deactivated or demoted.');
                }
            }
            // Checked after LAST_SUPERUSER, which names the stronger reason when both apply.
            if (losesAccess && id === admin.id) {
                throw new errors_1.AppError('CANNOT_CHANGE_OWN_ACCESS', 'You cannot deactivate or demote yourself.');
            }
            if (changes.email !== undefined && changes.email.toLowerCase() !== user.email.toLowerCase()) {
                const taken = await auth_model_1.User.count({
                    where: {
                        id: { [sequelize_1.Op.ne]: id },
                        [sequelize_1.Op.and]: this.sequelize.where(this.sequelize.fn('lower', this.sequelize.col('email')), changes.email.toLowerCase()),
                    },
                    transaction,
                });
                if (taken > 0)
                    throw errors_1.AppError.validation({ email: ['User with this email already exists.'] });
            }
            const before = (0, auth_service_1.userAuditState)(user);
            const wasActive = user.isActive;
            user.set({
                ...(changes.is_active !== undefined && { isActive: changes.is_active }),
                ...(changes.is_superuser !== undefined && { isSuperuser: changes.is_superuser }),
                ...(changes.email !== undefined && { email: changes.email }),
                ...(changes.first_name !== undefined && { firstName: changes.first_name }),
                ...(changes.last_name !== undefined && { lastName: changes.last_name }),
            });
            await user.save({ transaction });
            if (wasActive && !user.isActive)
                await this.auth.revokeAllRefreshTokens(user.id, transaction);
            await this.audit.record({
                actorId: admin.id,
                action: 'user.update',
                objectType: 'user',
                objectId: user.id,
                before,
                after: (0, auth_service_1.userAuditState)(user),
                requestId: trail.requestId,
            }, transaction);
            return user;
        });
        try {
            return toAdminUserDto(await this.auth.forgetSignInRecordsAfter(write));
        }
        catch (err) {
            // Two edits raced past the email check; the unique index decides.
            if (err instanceof sequelize_1.UniqueConstraintError) {
                throw errors_1.AppError.validation({ email: ['User with this email already exists.'] });
            }
            throw err;
        }
    }
    async setPassword(admin, id, password, trail = {}) {
        const user = await auth_model_1.User.findByPk(id);
        if (!user)
            throw errors_1.AppError.notFound();
        await this.auth.changePassword(user, password, { actorId: admin.id, requestId: trail.requestId });
        return { message: 'Password updated. The user has been signed out everywhere.' };
    }
}
exports.UserAdminService = UserAdminService;
