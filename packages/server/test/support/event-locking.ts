// Test-only ways for the ledger to lock event rows, injected through ServiceOverrides.eventLocking (or the
// HoldLedger constructor) by the negative controls. Production always uses LOCK_EVENTS_IN_ID_ORDER.
import type { EventLocking } from '../../src/modules/reservations/hold-ledger';

/** Reads the event rows without locking them: proves the oversell tests can see an oversell. */
export const NO_EVENT_LOCK: EventLocking = { clause: 'ORDER BY id' };

/**
 * Locks the event rows in the order the statement's $1 names them (first occurrence), not by id: two batches that
 * name shared events in different orders can each hold one the other needs. Proves the race test sees a deadlock.
 */
export const LOCK_EVENTS_IN_GIVEN_ORDER: EventLocking = { clause: 'ORDER BY array_position($1::int[], id) FOR UPDATE' };
