// Shows the signed-in user's reservations, newest first (the API shows every user only their own).
//   HOLDFAST_USERNAME=alice HOLDFAST_PASSWORD=... pnpm --filter @holdfast/sdk example my-reservations
import type { Reservation, ReservationStatus } from '../src';
import { parseFlags, run, signIn, UsageError } from './sign-in';

const usage = `Usage: my-reservations [options]
  --status STATUS    only HOLD, CONFIRMED, CANCELLED or EXPIRED`;

const STATUSES: readonly ReservationStatus[] = ['HOLD', 'CONFIRMED', 'CANCELLED', 'EXPIRED'];

run(async () => {
  const flags = parseFlags({ status: { type: 'string' } }, usage);
  const status = flags.status?.toUpperCase();
  if (status !== undefined && !STATUSES.includes(status as ReservationStatus)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  }
  const client = await signIn(flags);
  const me = await client.auth.me.query();

  const reservations: Reservation[] = [];
  for (let page = 1; ; page++) {
    const result = await client.reservations.list.query({ page });
    reservations.push(...result.results.filter((r) => status === undefined || r.status === status));
    if (!result.next) break;
  }
  console.log(`reservations of ${me.username} (${me.email})`);
  if (reservations.length === 0) {
    console.log('  none');
    return;
  }
  for (const r of reservations) {
    const until = r.status === 'HOLD' && r.expires_at ? `  held until ${r.expires_at}` : '';
    console.log(
      `${String(r.id).padStart(6)}  ${r.status.padEnd(9)}  ${String(r.quantity).padStart(3)} × ${r.event_name}` +
        ` (event ${r.event})  ${r.created_at}${until}`,
    );
  }
});
