// Every user's reservations: status tabs with counts, filters in the URL, per-row actions, bulk cancel of an
// event's reservations with a dry-run count first, and a CSV export of exactly what the filters select.
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { RouterInputs } from '@holdfast/sdk';
import { client, downloadWithToken, newIdempotencyKey } from '../api';
import { ConfirmDialog } from '../components/dialog';
import {
  ChoiceFilter,
  ClearFiltersButton,
  DateFilter,
  FilterBar,
  IdFilter,
  SearchBox,
  type Choice,
} from '../components/filter-bar';
import { PagedResults } from '../components/query-state';
import { ReservationsTable } from '../components/reservations-table';
import { ErrorBox, Field, Notice, PageHeader } from '../components/ui';
import { describeError, fieldErrorsOf } from '../errors';
import { exportFileName, formatCount } from '../format';
import { Link } from '../router';
import { exportQueryString, type InputOf, RESERVATION_STATUSES, reservationFilters, reservationQuery } from './filters';
import { useFilters } from './use-filters';

type ListInput = InputOf<RouterInputs['admin']['reservations']['list']>;
type Status = (typeof RESERVATION_STATUSES)[number];

const ORDER_CHOICES: readonly Choice[] = [
  ['-created_at', 'Newest first'],
  ['created_at', 'Oldest first'],
  ['expires_at', 'Lapsing soonest'],
  ['-quantity', 'Most seats'],
  ['quantity', 'Fewest seats'],
];

const TAB_LABELS: Record<Status, string> = {
  HOLD: 'Held',
  CONFIRMED: 'Confirmed',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
};

export function ReservationsScreen() {
  const { values: f, update, reset } = useFilters(reservationFilters);
  const base = reservationQuery(f);
  const input: ListInput = { ...base, page: f.page ?? 1 };
  const list = useQuery({
    queryKey: ['admin.reservations.list', input],
    queryFn: () => client.admin.reservations.list.query(input),
    placeholderData: keepPreviousData,
  });

  // One count per tab: the same filters with that status only (page 1 carries the count).
  const { status: _status, ordering: _ordering, ...countBase } = base;
  const tabs: (Status | 'ALL')[] = ['ALL', ...RESERVATION_STATUSES];
  const counts = useQueries({
    queries: tabs.map((tab) => {
      const q = { ...countBase, ...(tab === 'ALL' ? {} : { status: [tab] }) };
      return { queryKey: ['admin.reservations.list', q], queryFn: () => client.admin.reservations.list.query(q) };
    }),
  });
  const selected: Status | 'ALL' = f.status?.length === 1 ? (f.status[0] as Status) : f.status?.length ? 'ALL' : 'ALL';

  const [bulkOpen, setBulkOpen] = useState(false);
  const [exporting, setExporting] = useState<unknown>(null);
  const exportCsv = async () => {
    setExporting(null);
    try {
      await downloadWithToken(
        `/api/admin/reservations/export.csv?${exportQueryString(base)}`,
        exportFileName({ ...(f.event ? { event: f.event } : {}), ...(f.status ? { status: f.status } : {}) }),
      );
    } catch (error) {
      setExporting(error);
    }
  };
  const filtered = Object.keys(base).some((k) => k !== 'ordering' && k !== 'status');

  return (
    <>
      <PageHeader title="Reservations">
        <button type="button" className="btn" onClick={() => void exportCsv()}>
          Export CSV
        </button>
        {f.event ? (
          <button type="button" className="btn btn-danger-outline" onClick={() => setBulkOpen(true)}>
            Bulk cancel…
          </button>
        ) : null}
      </PageHeader>
      {exporting !== null && <ErrorBox error={exporting} />}

      <div className="tabs" role="group" aria-label="Status">
        {tabs.map((tab, i) => {
          const count = counts[i]?.data?.count;
          return (
            <button
              key={tab}
              type="button"
              className="tab"
              aria-pressed={selected === tab}
              onClick={() => update({ status: tab === 'ALL' ? undefined : [tab] })}
            >
              {tab === 'ALL' ? 'All' : TAB_LABELS[tab]}
              <span className="count">{count === undefined ? '…' : count}</span>
            </button>
          );
        })}
      </div>

      <FilterBar filtered={filtered} onClear={reset}>
        <SearchBox
          value={f.q ?? ''}
          onSearch={(q) => update({ q })}
          label="Search"
          placeholder="Username or event name"
        />
        <IdFilter id="rs-event" label="Event id" value={f.event} onChange={(event) => update({ event })} />
        <IdFilter id="rs-user" label="User id" value={f.user} onChange={(user) => update({ user })} />
        <DateFilter
          id="rs-after"
          label="Created from"
          value={f.created_after}
          onChange={(created_after) => update({ created_after })}
        />
        <DateFilter
          id="rs-before"
          label="Created before"
          value={f.created_before}
          onChange={(created_before) => update({ created_before })}
        />
        <ChoiceFilter
          id="rs-order"
          label="Order"
          value={f.ordering ?? '-created_at'}
          choices={ORDER_CHOICES}
          onChange={(ordering) => update({ ordering })}
        />
        <div className="field field-check">
          <input
            id="rs-overdue"
            type="checkbox"
            checked={!!f.overdue}
            onChange={(e) => update({ overdue: e.target.checked || undefined })}
          />
          <label htmlFor="rs-overdue">Overdue holds only</label>
        </div>
      </FilterBar>

      <PagedResults
        query={list}
        loading="Loading reservations"
        empty={<>No reservation matches these filters. {filtered && <ClearFiltersButton onClick={reset} />}</>}
        page={f.page ?? 1}
        onPage={(page) => update({ page })}
        noun="reservation"
      >
        {(reservations) => <ReservationsTable rows={reservations} />}
      </PagedResults>
      {bulkOpen && f.event && <BulkCancelDialog event={f.event} onClose={() => setBulkOpen(false)} />}
    </>
  );
}

function BulkCancelDialog({ event, onClose }: { event: number; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [key] = useState(newIdempotencyKey);
  const [statuses, setStatuses] = useState<('HOLD' | 'CONFIRMED')[]>(['HOLD']);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const preview = useQuery({
    queryKey: ['bulk-preview', event, statuses],
    enabled: statuses.length > 0,
    // A dry run counts without changing anything; its reason is not recorded.
    queryFn: () =>
      client.admin.reservations.bulkCancel.mutate({ event, status: statuses, reason: 'preview', dry_run: true }),
  });
  const run = useMutation({
    mutationFn: () =>
      client.admin.reservations.bulkCancel.mutate(
        { event, status: statuses, reason },
        { context: { idempotencyKey: key } },
      ),
    onSuccess: async (result) => {
      setDone(result.cancelled);
      await queryClient.invalidateQueries();
    },
  });
  const toggle = (s: 'HOLD' | 'CONFIRMED', on: boolean) =>
    setStatuses((cur) => (on ? [...new Set([...cur, s])] : cur.filter((x) => x !== s)));
  const errors = fieldErrorsOf(run.error);

  if (done !== null) {
    return (
      <ConfirmDialog title="Bulk cancel done" confirmLabel="Close" onConfirm={onClose} onClose={onClose}>
        <Notice kind="success">{formatCount(done, 'reservation')} cancelled.</Notice>
      </ConfirmDialog>
    );
  }
  const matched = preview.data?.matched;
  return (
    <ConfirmDialog
      title={`Cancel reservations of event #${event}`}
      confirmLabel={matched ? `Cancel ${formatCount(matched, 'reservation')}` : 'Cancel reservations'}
      danger
      busy={run.isPending}
      disabled={!matched || !reason.trim()}
      error={run.isError && Object.keys(errors).length === 0 ? run.error : undefined}
      onConfirm={() => run.mutate()}
      onClose={onClose}
    >
      <fieldset className="field">
        <legend className="strong small">Which reservations</legend>
        {(['HOLD', 'CONFIRMED'] as const).map((s) => (
          <div className="field-check" key={s}>
            <input
              id={`bulk-${s}`}
              type="checkbox"
              checked={statuses.includes(s)}
              onChange={(e) => toggle(s, e.target.checked)}
            />
            <label htmlFor={`bulk-${s}`}>{s === 'HOLD' ? 'Holds' : 'Confirmed'}</label>
          </div>
        ))}
      </fieldset>
      <p aria-live="polite" data-testid="bulk-preview">
        {statuses.length === 0
          ? 'Choose at least one status.'
          : preview.isPending
            ? 'Counting…'
            : preview.isError
              ? describeError(preview.error)
              : matched === 0
                ? 'Nothing matches: no reservation would be cancelled.'
                : `${formatCount(matched ?? 0, 'reservation')} will be cancelled.`}
      </p>
      <Field label="Reason" errors={errors.reason} hint="Required. Kept in the audit log of each reservation.">
        {(aria) => (
          <textarea {...aria} rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        )}
      </Field>
      <p className="small muted">
        Check the list first: <Link to={`/reservations?event=${event}`}>this event’s reservations</Link>.
      </p>
    </ConfirmDialog>
  );
}
