// Reservations as rows (cards on a phone), with the actions their status allows.
import type { Reservation } from '@holdfast/sdk';
import { formatDateTime, formatRelative } from '../format';
import { Link } from '../router';
import { ActionsColumn, CardTable } from './card-table';
import { ReservationActions } from './reservation-actions';
import { StatusBadge } from './ui';

export function ReservationsTable({ rows, showEvent = true }: { rows: readonly Reservation[]; showEvent?: boolean }) {
  return (
    <CardTable
      columns={
        <>
          <th scope="col">#</th>
          {showEvent && <th scope="col">Event</th>}
          <th scope="col">User</th>
          <th scope="col" className="num">
            Seats
          </th>
          <th scope="col">Status</th>
          <th scope="col">Hold lapses</th>
          <th scope="col">Created</th>
          <ActionsColumn />
        </>
      }
    >
      {rows.map((r) => (
        <tr key={r.id} data-reservation={r.id}>
          <td data-label="Reservation" className="mono">
            <Link to={`/audit?object_type=reservation&object_id=${r.id}`} title="History of this reservation">
              #{r.id}
            </Link>
          </td>
          {showEvent && (
            <td data-label="Event">
              <Link to={`/events/${r.event}`}>{r.event_name}</Link>
            </td>
          )}
          <td data-label="User">
            <Link to={`/reservations?user=${r.user}`} title="All reservations of this user">
              {r.user_username}
            </Link>
          </td>
          <td data-label="Seats" className="num">
            {r.quantity}
          </td>
          <td data-label="Status">
            <StatusBadge status={r.status} />
          </td>
          <td data-label="Hold lapses">
            {r.status === 'HOLD' && r.expires_at ? (
              <span title={formatDateTime(r.expires_at)}>{formatRelative(r.expires_at)}</span>
            ) : (
              <span className="muted">—</span>
            )}
          </td>
          <td data-label="Created">{formatDateTime(r.created_at)}</td>
          <td className="col-actions">
            <ReservationActions reservation={r} />
          </td>
        </tr>
      ))}
    </CardTable>
  );
}
