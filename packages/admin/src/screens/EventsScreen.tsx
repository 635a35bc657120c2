// Events: search, filters and ordering kept in the URL, one capacity bar per event.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { client } from '../api';
import { ActiveBadge, CapacityBar, Empty, ErrorBox, Loading, PageHeader, Pagination } from '../components/ui';
import { formatDateTime } from '../format';
import { Link } from '../router';
import { dayBound, eventFilters, type EventListInput } from './filters';
import { useFilters } from './use-filters';

const ORDER_LABELS: Record<string, string> = {
  start_time: 'Soonest start',
  '-start_time': 'Latest start',
  name: 'Name, A–Z',
  '-name': 'Name, Z–A',
  capacity: 'Fewest seats',
  '-capacity': 'Most seats',
  '-created_at': 'Newest first',
};

export function EventsScreen() {
  const { values: f, update, reset } = useFilters(eventFilters);
  const input = {
    ...(f.q ? { q: f.q } : {}),
    ...(f.active !== undefined ? { is_active: f.active } : {}),
    // "Ending by" a day includes that whole (local) day.
    ...(f.from ? { start_date: dayBound(f.from, false) } : {}),
    ...(f.to ? { end_date: dayBound(f.to, true) } : {}),
    ...(f.ordering ? { ordering: f.ordering as EventListInput['ordering'] } : {}),
    page: f.page ?? 1,
  };
  const list = useQuery({
    queryKey: ['admin.events.list', input],
    queryFn: () => client.admin.events.list.query(input),
    placeholderData: keepPreviousData,
  });
  const filtered = !!(f.q || f.active !== undefined || f.from || f.to);

  return (
    <>
      <PageHeader title="Events">
        <Link to="/events/new" className="btn btn-primary">
          New event
        </Link>
      </PageHeader>
      <div className="toolbar" role="search">
        <SearchBox
          value={f.q ?? ''}
          onSearch={(q) => update({ q })}
          label="Search events"
          placeholder="Name or description"
        />
        <div className="field">
          <label htmlFor="ev-active">Status</label>
          <select
            id="ev-active"
            value={f.active === undefined ? '' : String(f.active)}
            onChange={(e) => update({ active: e.target.value === '' ? undefined : e.target.value === 'true' })}
          >
            <option value="">All</option>
            <option value="true">Active</option>
            <option value="false">Inactive</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="ev-from">Starting from</label>
          <input id="ev-from" type="date" value={f.from ?? ''} onChange={(e) => update({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="ev-to">Ending by</label>
          <input id="ev-to" type="date" value={f.to ?? ''} onChange={(e) => update({ to: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="ev-order">Order</label>
          <select
            id="ev-order"
            value={f.ordering ?? 'start_time'}
            onChange={(e) => update({ ordering: e.target.value })}
          >
            {Object.entries(ORDER_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {filtered && (
          <button type="button" className="btn btn-link" onClick={reset}>
            Clear filters
          </button>
        )}
      </div>

      <div className="results" aria-busy={list.isFetching}>
        {list.isPending ? (
          <Loading what="Loading events" />
        ) : list.isError ? (
          <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.results.length === 0 ? (
          <Empty>
            {filtered ? 'No event matches these filters.' : 'No events yet.'}{' '}
            {filtered ? (
              <button type="button" className="btn btn-link" onClick={reset}>
                Clear filters
              </button>
            ) : (
              <Link to="/events/new">Create the first one</Link>
            )}
          </Empty>
        ) : (
          <>
            <table className="table table-cards">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">When</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="col-capacity">
                    Seats
                  </th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.results.map((event) => (
                  <tr key={event.id}>
                    <td data-label="Event">
                      <Link to={`/events/${event.id}`} className="strong">
                        {event.name}
                      </Link>
                      <div className="muted small">
                        #{event.id} · capacity {event.capacity}
                      </div>
                    </td>
                    <td data-label="When">
                      {formatDateTime(event.start_time)}
                      <div className="muted small">until {formatDateTime(event.end_time)}</div>
                    </td>
                    <td data-label="Status">
                      <ActiveBadge active={event.is_active} />
                    </td>
                    <td data-label="Seats" className="col-capacity">
                      <CapacityBar {...event} />
                    </td>
                    <td className="col-actions">
                      <Link to={`/events/${event.id}/edit`} className="btn btn-small">
                        Edit<span className="sr-only"> {event.name}</span>
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination page={f.page ?? 1} count={list.data.count} noun="event" onPage={(page) => update({ page })} />
          </>
        )}
      </div>
    </>
  );
}

/** A search field that applies on Enter or its button, so typing does not rewrite the URL on every key. */
export function SearchBox({
  value,
  onSearch,
  label,
  placeholder,
}: {
  value: string;
  onSearch: (q: string) => void;
  label: string;
  placeholder: string;
}) {
  const id = useId();
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setText(value);
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form className="field search" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <div className="input-group">
        <input id={id} type="search" value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="btn">
          Search
        </button>
      </div>
    </form>
  );
}
