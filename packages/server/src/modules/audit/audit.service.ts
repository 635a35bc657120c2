// The audit log: one row per state change, written by the service that makes the change, inside the same
// transaction (a change that rolls back leaves no entry; a committed one always has one). The table refuses
// UPDATE and DELETE (migration 0004); purgeExpired() is the one way rows leave it.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { isoUtc } from '../../iso-time';
import { pageOffset, PAGE_SIZE, toPage, type Page, type PageRequest } from '../../pagination';
import type { AuditAction, AuditEntryDto, AuditListInput, AuditObjectType } from './audit.schema';

/** Where a change comes from, beyond the actor: the request that asked for it. */
export interface AuditTrail {
  requestId?: string | undefined;
}

/** Who makes a change and from which request; actorId null is the system (the worker, the clock, the CLI). */
export interface AuditBy extends AuditTrail {
  actorId: number | null;
}

export const SYSTEM: AuditBy = Object.freeze({ actorId: null });

export interface AuditRecord {
  /** null: the system (the worker, the clock, the CLI). */
  actorId: number | null;
  action: AuditAction;
  objectType: AuditObjectType;
  objectId: number | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
  requestId?: string | undefined;
}

export interface AuditSettings {
  /** Bench-only switch (an A/B of the hot path); production always records. */
  enabled: boolean;
  /** AUDIT_RETENTION_DAYS: entries older than this are removed by the worker's clean-up. */
  retentionDays: number;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_id: number | null;
  actor_username: string | null;
  action: AuditAction;
  object_type: AuditObjectType;
  object_id: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
  request_id: string | null;
}

const ENTRY_SELECT = `SELECT a.id, a.at, a.actor_id, u.username AS actor_username, a.action, a.object_type,
  a.object_id, a.before, a.after, a.reason, a.request_id
  FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id`;

export class AuditLog {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: AuditSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** Appends one entry inside the caller's transaction. */
  async record(entry: AuditRecord, transaction: Transaction): Promise<void> {
    if (!this.settings.enabled) return;
    await this.sequelize.query(
      `INSERT INTO audit_log (actor_id, action, object_type, object_id, before, after, reason, request_id)
       VALUES (:actorId, :action, :objectType, :objectId, :before::jsonb, :after::jsonb, :reason, :requestId)`,
      {
        replacements: {
          actorId: entry.actorId,
          action: entry.action,
          objectType: entry.objectType,
          objectId: entry.objectId,
          before: entry.before ? JSON.stringify(entry.before) : null,
          after: entry.after ? JSON.stringify(entry.after) : null,
          reason: entry.reason ?? null,
          requestId: entry.requestId ?? null,
        },
        transaction,
      },
    );
  }

  /** Newest first, with the filters of GET /api/admin/audit/. */
  async list(filters: AuditListInput, page: Omit<PageRequest, 'page' | 'query'>): Promise<Page<AuditEntryDto>> {
    const pageNo = filters.page ?? 1;
    const where: string[] = [];
    const replacements: Record<string, unknown> = {};
    if (filters.actor !== undefined) {
      where.push('a.actor_id = :actor');
      replacements.actor = filters.actor;
    }
    if (filters.object_type !== undefined) {
      where.push('a.object_type = :objectType');
      replacements.objectType = filters.object_type;
    }
    if (filters.object_id !== undefined) {
      where.push('a.object_id = :objectId');
      replacements.objectId = filters.object_id;
    }
    if (filters.action !== undefined) {
      where.push('a.action = :action');
      replacements.action = filters.action;
    }
    if (filters.since) {
      where.push('a.at >= :since');
      replacements.since = filters.since;
    }
    if (filters.until) {
      where.push('a.at < :until');
      replacements.until = filters.until;
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, total] = await Promise.all([
      this.sequelize.query<AuditRow>(`${ENTRY_SELECT} ${clause} ORDER BY a.id DESC LIMIT :limit OFFSET :offset`, {
        type: QueryTypes.SELECT,
        replacements: { ...replacements, limit: PAGE_SIZE, offset: pageOffset(pageNo) },
      }),
      this.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log a ${clause}`, {
        type: QueryTypes.SELECT,
        replacements,
      }),
    ]);
    return toPage(
      {
        ...page,
        page: pageNo,
        query: {
          actor: filters.actor?.toString(),
          object_type: filters.object_type,
          object_id: filters.object_id?.toString(),
          action: filters.action,
          since: filters.since?.toISOString(),
          until: filters.until?.toISOString(),
        },
      },
      Number(total[0]?.n ?? 0),
      rows.map(toAuditEntryDto),
    );
  }

  /** One object's entries, oldest first (a reservation's history), at most `limit` of the newest. */
  async history(objectType: AuditObjectType, objectId: number, limit = 500): Promise<AuditEntryDto[]> {
    const rows = await this.sequelize.query<AuditRow>(
      `SELECT * FROM (${ENTRY_SELECT} WHERE a.object_type = :objectType AND a.object_id = :objectId
        ORDER BY a.id DESC LIMIT :limit) newest ORDER BY id`,
      { type: QueryTypes.SELECT, replacements: { objectType, objectId, limit } },
    );
    return rows.map(toAuditEntryDto);
  }

  /** The retention clean-up (worker): removes entries older than AUDIT_RETENTION_DAYS; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.sequelize.query<{ removed: string }>('SELECT audit_log_purge(:days) AS removed', {
      type: QueryTypes.SELECT,
      replacements: { days: this.settings.retentionDays },
    });
    return Number(rows[0]?.removed ?? 0);
  }
}

export function toAuditEntryDto(r: AuditRow): AuditEntryDto {
  return {
    id: Number(r.id),
    at: isoUtc(new Date(r.at)),
    actor: r.actor_id,
    actor_username: r.actor_username,
    action: r.action,
    object_type: r.object_type,
    object_id: r.object_id,
    before: r.before,
    after: r.after,
    reason: r.reason,
    request_id: r.request_id,
  };
}
