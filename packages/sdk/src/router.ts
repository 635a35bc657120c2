// The server's router, as clients see it. Only its type crosses the package boundary: the SDK never loads server code.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@holdfast/server/router';

/** The Holdfast tRPC router type (auth, events, reservations). */
export type HoldfastRouter = AppRouter;

/** Inputs of every procedure, e.g. `RouterInputs['reservations']['createHold']`. */
export type RouterInputs = inferRouterInputs<HoldfastRouter>;
/** Outputs of every procedure, e.g. `RouterOutputs['events']['list']`. */
export type RouterOutputs = inferRouterOutputs<HoldfastRouter>;

/** An event with its live seat counts (API.md "Events"). */
export type Event = RouterOutputs['events']['byId'];
/** A reservation: a HOLD, CONFIRMED, CANCELLED or EXPIRED claim on seats (API.md "Reservations"). */
export type Reservation = RouterOutputs['reservations']['byId'];
/** A reservation's status. */
export type ReservationStatus = Reservation['status'];
/** Live seat counts of one event, as `events.availability` streams them (API.md "Live availability"). */
export type Availability =
  RouterOutputs['events']['availability'] extends AsyncIterable<infer Value, unknown, unknown> ? Value : never;
/** An account, as `auth.me` and `auth.login` return it. */
export type User = RouterOutputs['auth']['me'];
