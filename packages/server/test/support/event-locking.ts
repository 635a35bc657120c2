// Test-only ways for the ledger to lock event rows, injected through ServiceOverrides.eventLocking (or the
// HoldLedger constructor) by the negative controls. Production always uses LOCK_EVENTS_IN_ID_ORDER.
import type { EventLocking } from '../../src/modules/reservations/hold-ledger';

/** Reads the event rows without locking them: proves the oversell tests can see an oversell. */
export const NO_EVENT_LOCK: EventLocking = { clause: 'ORDER BY id' };
