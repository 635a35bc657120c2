// The back office's reads over every user's reservations: the filtered, ordered, paginated list, one reservation
// with its audit history, and the CSV export's chunked walk. Status is the one users see: a HOLD past its
// expiry reads (and filters) as EXPIRED, by the database clock, whether or not the worker has run.
import { QueryTypes, type Sequelize } from 'sequelize';
import { containsPattern } from '../../db/like-pattern';
import { AppError } from '../../errors';
import { isoUtc } from '../../iso-time';
import { pageOffset, PAGE_SIZE, toPage, type Page, type PageRequest } from '../../pagination';
import type { AdminReservationDetail, AdminReservationFilters, ReservationOrdering } from '../admin/admin.schema';
import type { AuditLog } from '../audit/audit.service';
import type { ReservationStatus } from './reservations.model';
import type { ReservationDto } from './reservations.schema';

interface SearchRow {
  id: number;
  event_id: number;
  event_name: string;
  user_id: number;
  user_username: string;
  status: ReservationStatus;
  quantity: number;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT r.id, r.event_id, e.name AS event_name, r.user_id, u.username AS user_username,
  CASE WHEN r.status = 'HOLD' AND r.expires_at <= now() THEN 'EXPIRED' ELSE r.status::text END AS status,
  r.quantity, r.expires_at, r.created_at, r.updated_at
  FROM reservations r JOIN events e ON e.id = r.event_id JOIN users u ON u.id = r.user_id`;

/** Each status as users see it, written so the planner can use the status indexes. */
const STATUS_CONDITION: Record<ReservationStatus, string> = {
  HOLD: `(r.status = 'HOLD' AND r.expires_at > now())`,
  CONFIRMED: `r.status = 'CONFIRMED'`,
  CANCELLED: `r.status = 'CANCELLED'`,
  EXPIRED: `(r.status = 'EXPIRED' OR (r.status = 'HOLD' AND r.expires_at <= now()))`,
};

const ORDER_BY: Record<ReservationOrdering, string> = {
  created_at: 'r.created_at ASC, r.id ASC',
  '-created_at': 'r.created_at DESC, r.id DESC',
  expires_at: 'r.expires_at ASC NULLS LAST, r.id ASC',
  '-expires_at': 'r.expires_at DESC NULLS LAST, r.id DESC',
  quantity: 'r.quantity ASC, r.id ASC',
  '-quantity': 'r.quantity DESC, r.id DESC',
};

/** Rows per round trip of the CSV export: a chunk is all it keeps in memory. */
export const EXPORT_CHUNK = 1000;

export class ReservationSearch {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly audit: AuditLog,
  ) {}

  async list(
    filters: AdminReservationFilters & { page?: number | undefined },
    page: Omit<PageRequest, 'page' | 'query'>,
  ): Promise<Page<ReservationDto>> {
    const pageNo = filters.page ?? 1;
    const { where, replacements } = whereClause(filters);
    const order = ORDER_BY[filters.ordering ?? '-created_at'];
    const [rows, total] = await Promise.all([
      this.sequelize.query<SearchRow>(`${SELECT} ${where} ORDER BY ${order} LIMIT :limit OFFSET :offset`, {
        type: QueryTypes.SELECT,
        replacements: { ...replacements, limit: PAGE_SIZE, offset: pageOffset(pageNo) },
      }),
      this.sequelize.query<{ n: string }>(
        `SELECT count(*) AS n FROM reservations r JOIN events e ON e.id = r.event_id JOIN users u ON u.id = r.user_id ${where}`,
        { type: QueryTypes.SELECT, replacements },
      ),
    ]);
    return toPage({ ...page, page: pageNo, query: filterQuery(filters) }, Number(total[0]?.n ?? 0), rows.map(toDto));
  }

  async get(id: number): Promise<AdminReservationDetail> {
    const [rows, history] = await Promise.all([
      this.sequelize.query<SearchRow>(`${SELECT} WHERE r.id = :id`, { type: QueryTypes.SELECT, replacements: { id } }),
      this.audit.history('reservation', id),
    ]);
    const row = rows[0];
    if (!row) throw AppError.notFound();
    return { ...toDto(row), history };
  }

  /**
   * The export's rows in chunks, walking the primary key (keyset, not OFFSET: every chunk is one index range
   * scan, and memory holds one chunk whatever the total). Ordered by id; `ordering` does not apply to the export.
   */
  async *exportChunks(filters: AdminReservationFilters, chunkSize = EXPORT_CHUNK): AsyncGenerator<ReservationDto[]> {
    const { where, replacements } = whereClause(filters);
    const keyset = where ? `${where} AND r.id > :after` : 'WHERE r.id > :after';
    let after = 0;
    for (;;) {
      const rows = await this.sequelize.query<SearchRow>(`${SELECT} ${keyset} ORDER BY r.id LIMIT :limit`, {
        type: QueryTypes.SELECT,
        replacements: { ...replacements, after, limit: chunkSize },
      });
      if (rows.length === 0) return;
      yield rows.map(toDto);
      if (rows.length < chunkSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}

function whereClause(f: AdminReservationFilters): { where: string; replacements: Record<string, unknown> } {
  const conditions: string[] = [];
  const replacements: Record<string, unknown> = {};
  if (f.event !== undefined) {
    conditions.push('r.event_id = :event');
    replacements.event = f.event;
  }
  if (f.user !== undefined) {
    conditions.push('r.user_id = :user');
    replacements.user = f.user;
  }
  if (f.status && f.status.length > 0) {
    conditions.push(`(${f.status.map((s) => STATUS_CONDITION[s]).join(' OR ')})`);
  }
  if (f.overdue === true) conditions.push(`(r.status = 'HOLD' AND r.expires_at <= now())`);
  if (f.overdue === false) conditions.push(`NOT (r.status = 'HOLD' AND r.expires_at <= now())`);
  if (f.q) {
    conditions.push('(u.username ILIKE :q OR e.name ILIKE :q)');
    replacements.q = containsPattern(f.q);
  }
  if (f.created_after) {
    conditions.push('r.created_at >= :createdAfter');
    replacements.createdAfter = f.created_after;
  }
  if (f.created_before) {
    conditions.push('r.created_at <= :createdBefore');
    replacements.createdBefore = f.created_before;
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', replacements };
}

/** The filters as query parameters, for the next/previous links. */
function filterQuery(f: AdminReservationFilters): Record<string, string | readonly string[] | undefined> {
  return {
    event: f.event?.toString(),
    user: f.user?.toString(),
    status: f.status,
    overdue: f.overdue === undefined ? undefined : String(f.overdue),
    q: f.q,
    created_after: f.created_after?.toISOString(),
    created_before: f.created_before?.toISOString(),
    ordering: f.ordering,
  };
}

function toDto(r: SearchRow): ReservationDto {
  return {
    id: r.id,
    event: r.event_id,
    event_name: r.event_name,
    user: r.user_id,
    user_username: r.user_username,
    status: r.status,
    quantity: r.quantity,
    expires_at: r.expires_at ? isoUtc(new Date(r.expires_at)) : null,
    created_at: isoUtc(new Date(r.created_at)),
    updated_at: isoUtc(new Date(r.updated_at)),
  };
}
