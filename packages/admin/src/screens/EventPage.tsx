// One event: its seats, reservations by status, holds about to lapse, its latest reservations and its audit trail,
// with edit, (de)activate and delete. Delete refused for an event with live reservations explains what to do.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client } from '../api';
import { AuditTable } from '../components/audit-table';
import { ConfirmDialog } from '../components/dialog';
import { hasNoRows, QueryState } from '../components/query-state';
import { ReservationsTable } from '../components/reservations-table';
import { ActiveBadge, CapacityBar, Empty, ErrorBox, Loading, PageHeader } from '../components/ui';
import { errorCode } from '../errors';
import { formatDateTime, formatRelative } from '../format';
import { Link, navigate } from '../router';

export function EventPage({ id }: { id: number }) {
  const queryClient = useQueryClient();
  const stats = useQuery({
    queryKey: ['admin.events.stats', id],
    queryFn: () => client.admin.events.stats.query({ id }),
    refetchInterval: 15_000,
  });
  const soon = useQuery({
    queryKey: ['admin.reservations.list', { event: id, status: ['HOLD'], ordering: 'expires_at' }],
    queryFn: () => client.admin.reservations.list.query({ event: id, status: ['HOLD'], ordering: 'expires_at' }),
  });
  const latest = useQuery({
    queryKey: ['admin.reservations.list', { event: id }],
    queryFn: () => client.admin.reservations.list.query({ event: id }),
  });
  const audit = useQuery({
    queryKey: ['admin.audit.list', { object_type: 'event', object_id: id }],
    queryFn: () => client.admin.audit.list.query({ object_type: 'event', object_id: id }),
  });
  const [confirm, setConfirm] = useState<'delete' | 'deactivate' | null>(null);

  const setActive = useMutation({
    mutationFn: (is_active: boolean) => client.events.patch.mutate({ id, is_active }),
    onSuccess: async () => {
      setConfirm(null);
      await queryClient.invalidateQueries();
    },
  });
  const remove = useMutation({
    mutationFn: () => client.events.delete.mutate({ id }),
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      navigate('/events');
    },
  });

  if (stats.isPending) return <Loading what="Loading the event" />;
  if (stats.isError) {
    return (
      <>
        <PageHeader
          title="Event"
          back={
            <Link to="/events" className="back">
              ← Events
            </Link>
          }
        />
        <ErrorBox error={stats.error} onRetry={() => void stats.refetch()} />
      </>
    );
  }
  const e = stats.data;
  const by = e.reservations_by_status;
  const deleteBlocked = errorCode(remove.error) === 'EVENT_HAS_RESERVATIONS';

  return (
    <>
      <PageHeader
        title={e.name}
        back={
          <Link to="/events" className="back">
            ← Events
          </Link>
        }
      >
        <Link to={`/events/${id}/edit`} className="btn">
          Edit
        </Link>
        {e.is_active ? (
          <button type="button" className="btn" onClick={() => setConfirm('deactivate')}>
            Deactivate
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => setActive.mutate(true)} disabled={setActive.isPending}>
            Activate
          </button>
        )}
        <button type="button" className="btn btn-danger-outline" onClick={() => setConfirm('delete')}>
          Delete
        </button>
      </PageHeader>

      <section className="card" aria-label="Seats">
        <dl className="details">
          <dt>Status</dt>
          <dd>
            <ActiveBadge active={e.is_active} />
          </dd>
          <dt>Starts</dt>
          <dd>{formatDateTime(e.start_time)}</dd>
          <dt>Ends</dt>
          <dd>{formatDateTime(e.end_time)}</dd>
          <dt>Capacity</dt>
          <dd>{e.capacity} seats</dd>
          {e.description && (
            <>
              <dt>Description</dt>
              <dd>{e.description}</dd>
            </>
          )}
        </dl>
        <CapacityBar {...e} />
      </section>

      <div className="section-title">
        <h2>Reservations by status</h2>
      </div>
      <div className="stats" role="list" aria-label="Reservations by status">
        {(
          [
            ['Holds', by.HOLD],
            ['Confirmed', by.CONFIRMED],
            ['Cancelled', by.CANCELLED],
            ['Expired', by.EXPIRED],
          ] as const
        ).map(([label, n]) => (
          <div className="stat" role="listitem" key={label}>
            <div className="stat-label">{label}</div>
            <div className="stat-value">{n}</div>
          </div>
        ))}
        <div className={`stat${e.holds_expiring_within_60s > 0 ? ' stat-warning' : ''}`} role="listitem">
          <div className="stat-label">Holds lapsing within 60 s</div>
          <div className="stat-value">{e.holds_expiring_within_60s}</div>
        </div>
      </div>

      <div className="section-title">
        <h2>Holds lapsing soonest</h2>
      </div>
      <QueryState query={soon} loading="Loading holds">
        {(holds) => {
          // A hold past its time stays HOLD until the expiry worker gets to it: only those still running are live.
          const live = holds.results.filter((r) => r.expires_at && Date.parse(r.expires_at) > Date.now());
          return live.length === 0 ? (
            <Empty>No live holds on this event.</Empty>
          ) : (
            <ul className="card holds">
              {live.slice(0, 5).map((r) => (
                <li key={r.id}>
                  <span className="mono">#{r.id}</span> · {r.user_username} · {r.quantity} seat
                  {r.quantity === 1 ? '' : 's'} · <strong>lapses {formatRelative(r.expires_at)}</strong>
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>

      <div className="section-title">
        <h2>Reservations</h2>
        <Link to={`/reservations?event=${id}`}>All reservations of this event →</Link>
      </div>
      <QueryState query={latest} loading="Loading reservations" isEmpty={hasNoRows} empty="No reservations yet.">
        {(page) => <ReservationsTable rows={page.results.slice(0, 10)} showEvent={false} />}
      </QueryState>

      <div className="section-title">
        <h2>History</h2>
        <Link to={`/audit?object_type=event&object_id=${id}`}>Full audit log →</Link>
      </div>
      <QueryState query={audit} loading="Loading history" isEmpty={hasNoRows} empty="No recorded changes.">
        {(page) => <AuditTable rows={page.results.slice(0, 10)} />}
      </QueryState>

      {confirm === 'deactivate' && (
        <ConfirmDialog
          title={`Deactivate “${e.name}”?`}
          confirmLabel="Deactivate"
          busy={setActive.isPending}
          error={setActive.error ?? undefined}
          onConfirm={() => setActive.mutate(false)}
          onClose={() => setConfirm(null)}
        >
          <p>Nobody can place new holds on it. Existing holds and confirmed seats stay as they are.</p>
        </ConfirmDialog>
      )}
      {confirm === 'delete' && (
        <ConfirmDialog
          title={`Delete “${e.name}”?`}
          confirmLabel={deleteBlocked ? 'Deactivate instead' : 'Delete event'}
          danger={!deleteBlocked}
          busy={remove.isPending || setActive.isPending}
          error={remove.error ?? undefined}
          onConfirm={() => (deleteBlocked ? setActive.mutate(false) : remove.mutate())}
          onClose={() => {
            remove.reset();
            setConfirm(null);
          }}
        >
          {!deleteBlocked && (
            <p>
              The event is removed for good. This is only possible while it has no held or confirmed reservations; with
              them, deactivate it instead.
            </p>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}
