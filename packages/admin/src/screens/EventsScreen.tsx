// Events: search, filters and ordering kept in the URL, one capacity bar per event.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { client } from '../api';
import { ActionsColumn, CardTable } from '../components/card-table';
import {
  ChoiceFilter,
  ClearFiltersButton,
  DateFilter,
  FilterBar,
  SearchBox,
  YesNoFilter,
  type Choice,
} from '../components/filter-bar';
import { PagedResults } from '../components/query-state';
import { ActiveBadge, CapacityBar, PageHeader } from '../components/ui';
import { formatDateTime } from '../format';
import { Link } from '../router';
import { dayBound, eventFilters, type EventListInput } from './filters';
import { useFilters } from './use-filters';

const ORDER_CHOICES: readonly Choice[] = [
  ['start_time', 'Soonest start'],
  ['-start_time', 'Latest start'],
  ['name', 'Name, A–Z'],
  ['-name', 'Name, Z–A'],
  ['capacity', 'Fewest seats'],
  ['-capacity', 'Most seats'],
  ['-created_at', 'Newest first'],
];

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
      <FilterBar filtered={filtered} onClear={reset}>
        <SearchBox
          value={f.q ?? ''}
          onSearch={(q) => update({ q })}
          label="Search events"
          placeholder="Name or description"
        />
        <YesNoFilter
          id="ev-active"
          label="Status"
          value={f.active}
          yes="Active"
          no="Inactive"
          onChange={(active) => update({ active })}
        />
        <DateFilter id="ev-from" label="Starting from" value={f.from} onChange={(from) => update({ from })} />
        <DateFilter id="ev-to" label="Ending by" value={f.to} onChange={(to) => update({ to })} />
        <ChoiceFilter
          id="ev-order"
          label="Order"
          value={f.ordering ?? 'start_time'}
          choices={ORDER_CHOICES}
          onChange={(ordering) => update({ ordering })}
        />
      </FilterBar>

      <PagedResults
        query={list}
        loading="Loading events"
        empty={
          <>
            {filtered ? 'No event matches these filters.' : 'No events yet.'}{' '}
            {filtered ? <ClearFiltersButton onClick={reset} /> : <Link to="/events/new">Create the first one</Link>}
          </>
        }
        page={f.page ?? 1}
        onPage={(page) => update({ page })}
        noun="event"
      >
        {(events) => (
          <CardTable
            columns={
              <>
                <th scope="col">Event</th>
                <th scope="col">When</th>
                <th scope="col">Status</th>
                <th scope="col" className="col-capacity">
                  Seats
                </th>
                <ActionsColumn />
              </>
            }
          >
            {events.map((event) => (
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
          </CardTable>
        )}
      </PagedResults>
    </>
  );
}
