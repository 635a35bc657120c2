// The database-failure mapping now lives in src/errors.ts (the one module that decides statuses); this re-export
// keeps the reservations service's import working until that file imports it from there.
export { toAppError } from '../errors';
