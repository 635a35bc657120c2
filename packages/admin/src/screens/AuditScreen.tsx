// The audit log, newest first: who did what to which object, filtered by actor, object, action and time.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { RouterInputs } from '@holdfast/sdk';
import { client } from '../api';
import { AuditTable } from '../components/audit-table';
import { Empty, ErrorBox, Loading, PageHeader, Pagination } from '../components/ui';
import { AUDIT_OBJECT_TYPES, auditFilters, dayBound, type InputOf } from './filters';
import { useFilters } from './use-filters';

type AuditInput = InputOf<RouterInputs['admin']['audit']['list']>;

export const AUDIT_ACTIONS = [
  'event.create',
  'event.update',
  'event.delete',
  'reservation.hold',
  'reservation.confirm',
  'reservation.cancel',
  'reservation.expire',
  'reservation.extend',
  'user.register',
  'user.update',
  'user.set_password',
  'auth.lockout',
  'auth.refresh_reuse',
] as const;

export function AuditScreen() {
  const { values: f, update, reset } = useFilters(auditFilters);
  const action = AUDIT_ACTIONS.find((a) => a === f.action);
  const input: AuditInput = {
    ...(f.actor ? { actor: f.actor } : {}),
    ...(f.object_type ? { object_type: f.object_type as AuditInput['object_type'] } : {}),
    ...(f.object_id ? { object_id: f.object_id } : {}),
    ...(action ? { action } : {}),
    ...(f.since ? { since: dayBound(f.since, false) } : {}),
    ...(f.until ? { until: dayBound(f.until, true) } : {}),
    page: f.page ?? 1,
  };
  const list = useQuery({
    queryKey: ['admin.audit.list', input],
    queryFn: () => client.admin.audit.list.query(input),
    placeholderData: keepPreviousData,
  });
  const filtered = !!(f.actor || f.object_type || f.object_id || f.action || f.since || f.until);
  const idField = (name: 'actor' | 'object_id', value: string) =>
    update({ [name]: /^\d+$/.test(value) ? Number(value) : undefined });

  return (
    <>
      <PageHeader title="Audit log" />
      <div className="toolbar" role="search">
        <div className="field">
          <label htmlFor="au-actor">Actor (user id)</label>
          <input
            id="au-actor"
            inputMode="numeric"
            value={f.actor ?? ''}
            onChange={(e) => idField('actor', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="au-type">Object</label>
          <select
            id="au-type"
            value={f.object_type ?? ''}
            onChange={(e) => update({ object_type: e.target.value || undefined })}
          >
            <option value="">Any</option>
            {AUDIT_OBJECT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="au-id">Object id</label>
          <input
            id="au-id"
            inputMode="numeric"
            value={f.object_id ?? ''}
            onChange={(e) => idField('object_id', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="au-action">Action</label>
          <select
            id="au-action"
            value={f.action ?? ''}
            onChange={(e) => update({ action: e.target.value || undefined })}
          >
            <option value="">Any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="au-since">From</label>
          <input id="au-since" type="date" value={f.since ?? ''} onChange={(e) => update({ since: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="au-until">Until</label>
          <input id="au-until" type="date" value={f.until ?? ''} onChange={(e) => update({ until: e.target.value })} />
        </div>
        {filtered && (
          <button type="button" className="btn btn-link" onClick={reset}>
            Clear filters
          </button>
        )}
      </div>
      <div className="results" aria-busy={list.isFetching}>
        {list.isPending ? (
          <Loading what="Loading the audit log" />
        ) : list.isError ? (
          <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.results.length === 0 ? (
          <Empty>No entry matches these filters.</Empty>
        ) : (
          <>
            <AuditTable rows={list.data.results} />
            <Pagination
              page={f.page ?? 1}
              count={list.data.count}
              noun="entry"
              plural="entries"
              onPage={(page) => update({ page })}
            />
          </>
        )}
      </div>
    </>
  );
}
