// The audit log, newest first: who did what to which object, filtered by actor, object, action and time.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { RouterInputs } from '@holdfast/sdk';
import { client } from '../api';
import { AuditTable } from '../components/audit-table';
import { ChoiceFilter, DateFilter, FilterBar, IdFilter, type Choice } from '../components/filter-bar';
import { PagedResults } from '../components/query-state';
import { PageHeader } from '../components/ui';
import { AUDIT_OBJECT_TYPES, auditFilters, dayBound, everyMember, type AuditActionCode, type InputOf } from './filters';
import { useFilters } from './use-filters';

type AuditInput = InputOf<RouterInputs['admin']['audit']['list']>;

export const AUDIT_ACTIONS = everyMember<AuditActionCode>({
  'event.create': true,
  'event.update': true,
  'event.delete': true,
  'reservation.hold': true,
  'reservation.confirm': true,
  'reservation.cancel': true,
  'reservation.expire': true,
  'reservation.extend': true,
  'user.register': true,
  'user.update': true,
  'user.set_password': true,
  'auth.lockout': true,
  'auth.refresh_reuse': true,
});

/** A menu of codes: "Any" (no filter), then each code as it is written in the log. */
function anyOr(codes: readonly string[]): Choice[] {
  return [['', 'Any'], ...codes.map((code) => [code, code] as const)];
}

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

  return (
    <>
      <PageHeader title="Audit log" />
      <FilterBar filtered={filtered} onClear={reset}>
        <IdFilter id="au-actor" label="Actor (user id)" value={f.actor} onChange={(actor) => update({ actor })} />
        <ChoiceFilter
          id="au-type"
          label="Object"
          value={f.object_type ?? ''}
          choices={anyOr(AUDIT_OBJECT_TYPES)}
          onChange={(type) => update({ object_type: type || undefined })}
        />
        <IdFilter id="au-id" label="Object id" value={f.object_id} onChange={(id) => update({ object_id: id })} />
        <ChoiceFilter
          id="au-action"
          label="Action"
          value={f.action ?? ''}
          choices={anyOr(AUDIT_ACTIONS)}
          onChange={(action) => update({ action: action || undefined })}
        />
        <DateFilter id="au-since" label="From" value={f.since} onChange={(since) => update({ since })} />
        <DateFilter id="au-until" label="Until" value={f.until} onChange={(until) => update({ until })} />
      </FilterBar>
      <PagedResults
        query={list}
        loading="Loading the audit log"
        empty="No entry matches these filters."
        page={f.page ?? 1}
        onPage={(page) => update({ page })}
        noun="entry"
        plural="entries"
      >
        {(entries) => <AuditTable rows={entries} />}
      </PagedResults>
    </>
  );
}
