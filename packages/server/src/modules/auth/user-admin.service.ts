// The back office's user management: search, edit (activation, superuser, email, names) and set a password.
// Two rules protect access to the back office itself: nobody deactivates or demotes themselves, and the last active
// superuser stays. The second is decided under one advisory lock, so two admins demoting each other at once cannot
// both succeed.
import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type WhereOptions } from 'sequelize';
import { containsPattern } from '../../db/like-pattern';
import { AppError } from '../../errors';
import { isoUtc } from '../../iso-time';
import { pageOffset, PAGE_SIZE, toPage, type Page, type PageRequest } from '../../pagination';
import type { AdminUserChanges, AdminUserDto, AdminUserListInput } from '../admin/admin.schema';
import type { AuditLog, AuditTrail } from '../audit/audit.service';
import type { AuthUser } from './auth-user';
import { User } from './auth.model';
import { userAuditState, type AuthService } from './auth.service';
import { toUserDto } from './auth.schema';

/** Serializes every change that can remove an active superuser. */
const SUPERUSER_LOCK_KEY = 7_410_016;

export function toAdminUserDto(u: User): AdminUserDto {
  return {
    ...toUserDto(u),
    is_active: u.isActive,
    is_superuser: u.isSuperuser,
    last_login: u.lastLogin ? isoUtc(u.lastLogin) : null,
  };
}

export class UserAdminService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly auth: AuthService,
    private readonly audit: AuditLog,
  ) {}

  async list(filters: AdminUserListInput, page: Omit<PageRequest, 'page' | 'query'>): Promise<Page<AdminUserDto>> {
    const pageNo = filters.page ?? 1;
    const where: WhereOptions<User> = {};
    if (filters.is_active !== undefined) where.isActive = filters.is_active;
    if (filters.is_superuser !== undefined) where.isSuperuser = filters.is_superuser;
    if (filters.q) {
      const pattern = containsPattern(filters.q);
      Object.assign(where, {
        [Op.or]: ['username', 'email', 'firstName', 'lastName'].map((f) => ({ [f]: { [Op.iLike]: pattern } })),
      });
    }
    const [rows, count] = await Promise.all([
      User.findAll({ where, order: [['id', 'ASC']], limit: PAGE_SIZE, offset: pageOffset(pageNo) }),
      User.count({ where }),
    ]);
    return toPage(
      {
        ...page,
        page: pageNo,
        query: {
          q: filters.q,
          is_active: filters.is_active === undefined ? undefined : String(filters.is_active),
          is_superuser: filters.is_superuser === undefined ? undefined : String(filters.is_superuser),
        },
      },
      count,
      rows.map(toAdminUserDto),
    );
  }

  /**
   * Applies the changes in one transaction with their audit entry. Deactivation revokes the user's refresh tokens
   * there too; their access tokens stop because authenticate() refuses inactive users.
   */
  async update(admin: AuthUser, id: number, changes: AdminUserChanges, trail: AuditTrail = {}): Promise<AdminUserDto> {
    const losesAccess = changes.is_active === false || changes.is_superuser === false;
    const write = this.sequelize.transaction(async (transaction) => {
      if (losesAccess) {
        await this.sequelize.query('SELECT pg_advisory_xact_lock(:key)', {
          replacements: { key: SUPERUSER_LOCK_KEY },
          transaction,
        });
      }
      const user = await User.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!user) throw AppError.notFound();
      if (losesAccess && user.isActive && user.isSuperuser) {
        const rows = await this.sequelize.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM users WHERE is_superuser AND is_active AND id <> :id',
          { type: QueryTypes.SELECT, replacements: { id }, transaction },
        );
        if ((rows[0]?.n ?? 0) === 0) {
          throw new AppError('LAST_SUPERUSER', 'The last active superuser cannot be deactivated or demoted.');
        }
      }
      // Checked after LAST_SUPERUSER, which names the stronger reason when both apply.
      if (losesAccess && id === admin.id) {
        throw new AppError('CANNOT_CHANGE_OWN_ACCESS', 'You cannot deactivate or demote yourself.');
      }
      if (changes.email !== undefined && changes.email.toLowerCase() !== user.email.toLowerCase()) {
        const taken = await User.count({
          where: {
            id: { [Op.ne]: id },
            [Op.and]: this.sequelize.where(
              this.sequelize.fn('lower', this.sequelize.col('email')),
              changes.email.toLowerCase(),
            ),
          },
          transaction,
        });
        if (taken > 0) throw AppError.validation({ email: ['User with this email already exists.'] });
      }
      const before = userAuditState(user);
      const wasActive = user.isActive;
      user.set({
        ...(changes.is_active !== undefined && { isActive: changes.is_active }),
        ...(changes.is_superuser !== undefined && { isSuperuser: changes.is_superuser }),
        ...(changes.email !== undefined && { email: changes.email }),
        ...(changes.first_name !== undefined && { firstName: changes.first_name }),
        ...(changes.last_name !== undefined && { lastName: changes.last_name }),
      });
      await user.save({ transaction });
      if (wasActive && !user.isActive) await this.auth.revokeAllRefreshTokens(user.id, transaction);
      await this.audit.record(
        {
          actorId: admin.id,
          action: 'user.update',
          objectType: 'user',
          objectId: user.id,
          before,
          after: userAuditState(user),
          requestId: trail.requestId,
        },
        transaction,
      );
      return user;
    });
    try {
      return toAdminUserDto(await this.auth.forgetSignInRecordsAfter(write));
    } catch (err) {
      // Two edits raced past the email check; the unique index decides.
      if (err instanceof UniqueConstraintError) {
        throw AppError.validation({ email: ['User with this email already exists.'] });
      }
      throw err;
    }
  }

  async setPassword(
    admin: AuthUser,
    id: number,
    password: string,
    trail: AuditTrail = {},
  ): Promise<{ message: string }> {
    const user = await User.findByPk(id);
    if (!user) throw AppError.notFound();
    await this.auth.changePassword(user, password, { actorId: admin.id, requestId: trail.requestId });
    return { message: 'Password updated. The user has been signed out everywhere.' };
  }
}
