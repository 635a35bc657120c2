// Model-based test: random sequences of hold / confirm / cancel / clock advance / capacity edit run against the
// real service and a tiny in-memory model; after every step the outcomes, the counters, a recount and the
// capacity invariant must agree.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AppError } from '../src/errors';
import type { AuthUser } from '../src/modules/auth/auth-user';
import { createEvent, createHarness, createUser, ledger, type Harness } from './support/harness';

let h: Harness;
let users: AuthUser[];
const TTL = 300;

beforeAll(async () => {
  h = await createHarness({
    HOLD_TTL_SECONDS: String(TTL),
    MAX_ACTIVE_HOLDS_PER_USER: '0',
    MAX_HELD_SEATS_PER_USER: '0',
  });
  const made = await Promise.all([createUser(h), createUser(h)]);
  users = made.map((u) => ({ id: u.id, username: u.username, email: u.email, isSuperuser: false }));
});
afterAll(() => h.close());

type Status = 'HOLD' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED';
interface ModelReservation {
  id: number;
  user: number;
  quantity: number;
  status: Status;
  /** Seconds until expiry; <= 0 means overdue. */
  remaining: number;
}
interface Model {
  capacity: number;
  reservations: ModelReservation[];
}

const overdue = (r: ModelReservation) => r.status === 'HOLD' && r.remaining <= 0;
const liveHeld = (m: Model) =>
  m.reservations.filter((r) => r.status === 'HOLD' && r.remaining > 0).reduce((s, r) => s + r.quantity, 0);
const confirmed = (m: Model) =>
  m.reservations.filter((r) => r.status === 'CONFIRMED').reduce((s, r) => s + r.quantity, 0);

type Command =
  | { kind: 'hold'; user: number; quantity: number }
  | { kind: 'confirm'; pick: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'advance'; seconds: number }
  | { kind: 'capacity'; capacity: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('hold' as const),
      user: fc.nat(1),
      quantity: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick: fc.nat(50) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(50) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.constantFrom(50, 100, 200, 301) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('capacity' as const), capacity: fc.integer({ min: 1, max: 12 }) }),
  },
);

async function outcome(fn: () => Promise<{ id: number; status: string }>): Promise<string> {
  try {
    const r = await fn();
    return `ok:${r.status}`;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

it('agrees with the model after every step', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 10 }),
      fc.array(command, { minLength: 5, maxLength: 25 }),
      async (capacity, commands) => {
        const event = await createEvent(h, { capacity });
        const model: Model = { capacity, reservations: [] };
        const svc = h.rt.services;
        for (const cmd of commands) {
          switch (cmd.kind) {
            case 'hold': {
              const user = users[cmd.user]!;
              const fits = liveHeld(model) + confirmed(model) + cmd.quantity <= model.capacity;
              let id = 0;
              const got = await outcome(async () => {
                const r = await svc.reservations.createHold(user, { event_id: event.id, quantity: cmd.quantity });
                id = r.id;
                return r;
              });
              expect(got).toBe(fits ? 'ok:HOLD' : 'INSUFFICIENT_CAPACITY');
              if (!fits) break;
              model.reservations.push({ id, user: user.id, quantity: cmd.quantity, status: 'HOLD', remaining: TTL });
              break;
            }
            case 'confirm':
            case 'cancel': {
              const r = model.reservations[cmd.pick % Math.max(model.reservations.length, 1)];
              if (!r) break;
              const user = users.find((u) => u.id === r.user)!;
              let expected: string;
              if (cmd.kind === 'confirm') {
                if (overdue(r) || r.status === 'EXPIRED') {
                  expected = 'RESERVATION_EXPIRED';
                  r.status = 'EXPIRED';
                } else if (r.status === 'HOLD') {
                  expected = 'ok:CONFIRMED';
                  r.status = 'CONFIRMED';
                } else expected = 'INVALID_STATUS';
                expect(await outcome(() => svc.reservations.confirm(user, { reservation_id: r.id }))).toBe(expected);
              } else {
                if (overdue(r)) {
                  expected = 'INVALID_STATUS';
                  r.status = 'EXPIRED';
                } else if (r.status === 'HOLD' || r.status === 'CONFIRMED') {
                  expected = 'ok:CANCELLED';
                  r.status = 'CANCELLED';
                } else expected = 'INVALID_STATUS';
                expect(await outcome(() => svc.reservations.cancel(user, { id: r.id }))).toBe(expected);
              }
              break;
            }
            case 'advance': {
              await h.rt.sequelize.query(
                `UPDATE reservations SET expires_at = expires_at - make_interval(secs => :s) WHERE event_id = :e AND expires_at IS NOT NULL`,
                { replacements: { s: cmd.seconds, e: event.id } },
              );
              for (const r of model.reservations) r.remaining -= cmd.seconds;
              break;
            }
            case 'capacity': {
              const fits = cmd.capacity >= liveHeld(model) + confirmed(model);
              const got = await outcome(async () => {
                await svc.events.update(event.id, { capacity: cmd.capacity });
                return { id: event.id, status: 'UPDATED' };
              });
              expect(got).toBe(fits ? 'ok:UPDATED' : 'CAPACITY_BELOW_RESERVED');
              if (fits) model.capacity = cmd.capacity;
              break;
            }
          }
          const l = await ledger(h, event.id);
          expect(l.held).toBe(l.recount_held);
          expect(l.confirmed).toBe(l.recount_confirmed);
          expect(l.live_held + l.confirmed).toBeLessThanOrEqual(l.capacity);
          expect(l.confirmed).toBe(confirmed(model));
          expect(l.live_held).toBe(liveHeld(model));
          const dto = await svc.events.get(event.id);
          expect(dto).toMatchObject({
            capacity: model.capacity,
            hold_count: liveHeld(model),
            confirmed_count: confirmed(model),
            available_capacity: model.capacity - liveHeld(model) - confirmed(model),
          });
        }
      },
    ),
    { numRuns: 40 },
  );
});
