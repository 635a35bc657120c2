// Type-level tests: checked by `tsc` in the typecheck script, never executed. Wrong inputs must not compile and
// outputs must be precise types (no `any` leaking from the router).
import type { AppErrorCode } from '@holdfast/server';
import { expectTypeOf } from 'expect-type';
import {
  createHoldfastClient,
  isHoldfastError,
  type Event,
  type HoldfastErrorCode,
  type Reservation,
  type RouterInputs,
  type RouterOutputs,
  type Session,
  type User,
} from '../src';

declare const client: ReturnType<typeof createHoldfastClient>;

export async function inputsAreChecked(): Promise<void> {
  // @ts-expect-error event_id is required
  await client.reservations.createHold.mutate({ quantity: 2 });
  // @ts-expect-error quantity is a number
  await client.reservations.createHold.mutate({ event_id: 1, quantity: '2' });
  // @ts-expect-error unknown fields are rejected (no mass assignment of status)
  await client.reservations.createHold.mutate({ event_id: 1, status: 'CONFIRMED' });
  // @ts-expect-error confirm takes reservation_id, not id
  await client.reservations.confirm.mutate({ id: 1 });
  // @ts-expect-error capacity is a number
  await client.events.create.mutate({ name: 'x', capacity: 'ten', start_time: 's', end_time: 'e' });
  // @ts-expect-error start_time is required when creating
  await client.events.create.mutate({ name: 'x', capacity: 10, end_time: 'e' });
  // @ts-expect-error queries are not mutations
  await client.events.list.mutate();
  // @ts-expect-error no such procedure
  await client.events.remove.mutate({ id: 1 });
  // @ts-expect-error login takes credentials, not a token
  await client.auth.login.mutate({ token: 'x' });

  await client.reservations.createHold.mutate({ event_id: 1 });
  await client.events.patch.mutate({ id: 1, capacity: 5 });
  await client.events.list.query();
  await client.events.list.query({ is_active: true, page: 2 });
  await client.auth.logout.mutate({});
}

export async function outputsArePrecise(): Promise<void> {
  const event = await client.events.byId.query({ id: 1 });
  expectTypeOf(event).toEqualTypeOf<Event>();
  expectTypeOf(event.capacity).toEqualTypeOf<number>();
  expectTypeOf(event.available_capacity).toEqualTypeOf<number>();
  expectTypeOf(event.is_active).toEqualTypeOf<boolean>();
  expectTypeOf(event.start_time).toEqualTypeOf<string>();
  expectTypeOf(event).not.toBeAny();

  const page = await client.events.list.query();
  expectTypeOf(page.results).toEqualTypeOf<Event[]>();
  expectTypeOf(page.next).toEqualTypeOf<string | null>();

  const hold = await client.reservations.createHold.mutate({ event_id: 1 });
  expectTypeOf(hold).toEqualTypeOf<Reservation>();
  expectTypeOf(hold.status).toEqualTypeOf<'HOLD' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED'>();
  expectTypeOf(hold.expires_at).toEqualTypeOf<string | null>();

  const me = await client.auth.me.query();
  expectTypeOf(me).toEqualTypeOf<User>();
  expectTypeOf(me.id).toEqualTypeOf<number>();

  const login = await client.auth.login.mutate({ username: 'u', password: 'p' });
  expectTypeOf(login).toMatchTypeOf<Session & { user: User }>();

  expectTypeOf<RouterInputs['reservations']['createHold']>().toEqualTypeOf<{
    event_id: number;
    quantity?: number | undefined;
    idempotency_key?: string | undefined;
  }>();
  expectTypeOf<RouterOutputs['events']['delete']>().toEqualTypeOf<{ message: string }>();
}

export function errorsAreTyped(err: unknown): void {
  if (isHoldfastError(err)) {
    expectTypeOf(err.code).toEqualTypeOf<HoldfastErrorCode>();
    expectTypeOf(err.status).toEqualTypeOf<number>();
    expectTypeOf(err.message).toEqualTypeOf<string>();
    expectTypeOf(err.fieldErrors).toEqualTypeOf<Record<string, string[]> | undefined>();
    expectTypeOf(err.retryAfter).toEqualTypeOf<number | undefined>();
    // @ts-expect-error not one of the documented codes
    if (err.code === 'TEAPOT') return;
  }
  // The SDK declares the codes itself (it must not load server code); they must stay the server's list.
  expectTypeOf<HoldfastErrorCode>().toEqualTypeOf<AppErrorCode>();
}

export function sessionOptionsAreChecked(): void {
  createHoldfastClient({ url: 'http://localhost:8000', session: { access: 'a', refresh: 'r' }, onSession: () => {} });
  // @ts-expect-error a session needs both tokens
  createHoldfastClient({ url: 'http://localhost:8000', session: { access: 'a' } });
  // @ts-expect-error url is required
  createHoldfastClient({});
}

export async function adminProceduresAreTyped(): Promise<void> {
  const page = await client.admin.reservations.list.query({
    event: 1,
    status: ['HOLD', 'CONFIRMED'],
    ordering: '-quantity',
  });
  expectTypeOf(page.results[0]!.user_username).toEqualTypeOf<string>();
  const one = await client.admin.reservations.byId.query({ id: 1 });
  expectTypeOf(one.history[0]!.actor).toEqualTypeOf<number | null>();
  const bulk = await client.admin.reservations.bulkCancel.mutate({
    event: 1,
    status: ['HOLD'],
    reason: 'x',
    dry_run: true,
  });
  expectTypeOf(bulk).toEqualTypeOf<{ matched: number; cancelled: number }>();
  const user = await client.admin.users.update.mutate({ id: 2, is_active: false });
  expectTypeOf(user.last_login).toEqualTypeOf<string | null>();
  const stats = await client.admin.events.stats.query({ id: 1 });
  expectTypeOf(stats.reservations_by_status.EXPIRED).toEqualTypeOf<number>();
  // @ts-expect-error bulk cancel takes HOLD and CONFIRMED only
  await client.admin.reservations.bulkCancel.mutate({ event: 1, status: ['EXPIRED'], reason: 'x' });
  // @ts-expect-error an unknown status
  await client.admin.reservations.list.query({ status: ['LOST'] });
  // @ts-expect-error an unknown ordering
  await client.admin.reservations.list.query({ ordering: 'user' });
}
