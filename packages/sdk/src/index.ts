// @holdfast/sdk: the typed client of the Holdfast API.
export { createHoldfastClient } from './client';
export type {
  HeadersOption,
  HoldfastCallContext,
  HoldfastClient,
  HoldfastClientOptions,
  HoldfastFetch,
} from './client';
export { HOLDFAST_ERROR_CODES, isHoldfastError } from './errors';
export type { FieldErrors, HoldfastError, HoldfastErrorCode } from './errors';
export type { RefreshLock, Session, SessionStore } from './session';
export type {
  Availability,
  Event,
  HoldfastRouter,
  Reservation,
  ReservationStatus,
  RouterInputs,
  RouterOutputs,
  User,
} from './router';
