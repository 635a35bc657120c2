// Reads the audit log straight from the table, for tests that check what a change recorded.
import { QueryTypes } from 'sequelize';
import type { Harness } from './harness';

export interface AuditRowForTest {
  id: string;
  actor_id: number | null;
  action: string;
  object_type: string;
  object_id: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
  request_id: string | null;
}

/** The entries of one object, oldest first. */
export async function auditOf(h: Harness, objectType: string, objectId: number): Promise<AuditRowForTest[]> {
  return h.rt.sequelize.query<AuditRowForTest>(
    'SELECT * FROM audit_log WHERE object_type = :objectType AND object_id = :objectId ORDER BY id',
    { type: QueryTypes.SELECT, replacements: { objectType, objectId } },
  );
}
