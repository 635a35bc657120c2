// One read of the seat counts of some events, in the Availability shape, plus what the live fan-out needs to keep it
// true without a write: when the next live hold lapses by the database clock. Counts follow the events list's
// rule (API.md): the counters on the event row minus holds already overdue.
import { QueryTypes, type Sequelize } from 'sequelize';
import { isoUtc } from '../../iso-time';
import type { Availability } from './availability.schema';

export interface AvailabilityReading {
  availability: Availability;
  /**
   * When these counts came to be, in microseconds of the database clock: the later of the last write to the event's
   * seats (availability_changed_at, stamped by the trigger of migration 0005) and the lapse of its latest overdue
   * hold. Every process computes the same value for the same state and a later state has a larger one, so it is the
   * SSE event id and lets a resuming client skip what it already has.
   */
  seq: number;
  /** Milliseconds from the read until the earliest live hold lapses, or null when none is live. */
  nextLapseInMs: number | null;
}

export type ReadAvailability = (eventIds: readonly number[]) => Promise<Map<number, AvailabilityReading>>;

interface Row {
  id: number;
  capacity: number;
  held: number;
  confirmed: number;
  is_active: boolean;
  overdue: number;
  /** bigint, as text. */
  seq: string;
  next_lapse_ms: number | null;
  at: Date;
}

// Both subqueries walk reservations_live_holds_idx (event_id, expires_at) WHERE status = 'HOLD': the overdue part
// reads only overdue holds (few: the worker keeps sweeping them) and the next lapse is the first index entry past `at`.
const READ_SQL = `
  SELECT e.id, e.capacity, e.held, e.confirmed, e.is_active,
    COALESCE(o.seats, 0)::int AS overdue,
    (extract(epoch FROM greatest(e.availability_changed_at, o.last_lapse)) * 1000000)::bigint AS seq,
    (extract(epoch FROM (SELECT min(r.expires_at) FROM reservations r
               WHERE r.event_id = e.id AND r.status = 'HOLD' AND r.expires_at > c.at) - c.at) * 1000)::float8
      AS next_lapse_ms,
    c.at
  FROM (SELECT clock_timestamp() AS at) c
  CROSS JOIN events e
  CROSS JOIN LATERAL (SELECT sum(r.quantity) AS seats, max(r.expires_at) AS last_lapse FROM reservations r
               WHERE r.event_id = e.id AND r.status = 'HOLD' AND r.expires_at <= c.at) o
  WHERE e.id = ANY(ARRAY[:ids]::int[])`;

export function availabilityReader(sequelize: Sequelize): ReadAvailability {
  return async (eventIds) => {
    const readings = new Map<number, AvailabilityReading>();
    if (eventIds.length === 0) return readings;
    const rows = await sequelize.query<Row>(READ_SQL, {
      type: QueryTypes.SELECT,
      replacements: { ids: [...eventIds] },
    });
    for (const row of rows) {
      const holdCount = row.held - row.overdue;
      readings.set(row.id, {
        availability: {
          id: row.id,
          capacity: row.capacity,
          available_capacity: Math.max(row.capacity - holdCount - row.confirmed, 0),
          hold_count: holdCount,
          confirmed_count: row.confirmed,
          is_active: row.is_active,
          at: isoUtc(row.at),
        },
        seq: Number(row.seq),
        nextLapseInMs: row.next_lapse_ms === null ? null : Number(row.next_lapse_ms),
      });
    }
    return readings;
  };
}
