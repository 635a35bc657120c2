// Cancels every live hold of an event, with a reason (admin account required). Without --yes it only shows what
// would be cancelled (a dry run); with --yes it counts again and then cancels, under the event lock, in one step.
//   pnpm --filter @holdfast/sdk example cancel-event-holds -- --event 12 --reason "venue closed"          # dry run
//   pnpm --filter @holdfast/sdk example cancel-event-holds -- --event 12 --reason "venue closed" --yes    # do it
import { parseFlags, run, signIn, UsageError } from './sign-in';

const usage = `Usage: cancel-event-holds --event ID --reason TEXT [--confirmed] [--yes]
  --event ID       the event
  --reason TEXT    why (1-500 characters; recorded in the audit log of every cancelled reservation)
  --confirmed      cancel its CONFIRMED reservations too, not only the HOLDs
  --yes            really cancel (without it: a dry run that only counts)`;

run(async () => {
  const flags = parseFlags(
    { event: { type: 'string' }, reason: { type: 'string' }, confirmed: { type: 'boolean' }, yes: { type: 'boolean' } },
    usage,
  );
  const eventId = Number(flags.event);
  if (!Number.isInteger(eventId) || eventId < 1) throw new UsageError('--event must be an event id');
  if (!flags.reason) throw new UsageError('--reason is required');
  const status: ('HOLD' | 'CONFIRMED')[] = flags.confirmed ? ['HOLD', 'CONFIRMED'] : ['HOLD'];

  const client = await signIn(flags);
  const stats = await client.admin.events.stats.query({ id: eventId });
  const dry = await client.admin.reservations.bulkCancel.mutate({
    event: eventId,
    status,
    reason: flags.reason,
    dry_run: true,
  });
  console.log(
    `${stats.name} (event ${stats.id}): ${dry.matched} ${status.join('/')} reservation(s) would be cancelled`,
  );
  const sample = await client.admin.reservations.list.query({ event: eventId, status, ordering: 'expires_at' });
  for (const r of sample.results) {
    console.log(
      `  #${r.id}  ${r.status.padEnd(9)} ${r.quantity} × ${r.user_username}${r.expires_at ? `  until ${r.expires_at}` : ''}`,
    );
  }
  if (sample.count > sample.results.length) console.log(`  … and ${sample.count - sample.results.length} more`);
  if (!flags.yes) {
    console.log('dry run: nothing changed (add --yes to cancel them)');
    return;
  }
  const done = await client.admin.reservations.bulkCancel.mutate({ event: eventId, status, reason: flags.reason });
  console.log(`cancelled ${done.cancelled} reservation(s); their seats are free again`);
});
