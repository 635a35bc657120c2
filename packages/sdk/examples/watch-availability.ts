// Prints the live seat counts of events as they change (the events.availability subscription, over SSE).
//   pnpm --filter @holdfast/sdk example watch-availability -- --event 1 --event 2
import type { Availability } from '../src';
import { parseFlags, run, signIn, UsageError } from './sign-in';

const usage = `Usage: watch-availability --event ID [--event ID ...] [options]
  --event ID         an event to watch (repeat for more, up to 100)
  --count N          exit after N updates (default: run until Ctrl-C)`;

function line(a: Availability): string {
  const state = a.is_active ? '' : '  inactive';
  return (
    `${a.at}  event ${a.id}: ${a.available_capacity}/${a.capacity} free` +
    `  (${a.hold_count} held, ${a.confirmed_count} confirmed)${state}`
  );
}

run(async () => {
  const flags = parseFlags({ event: { type: 'string', multiple: true }, count: { type: 'string' } }, usage);
  const ids = (flags.event ?? []).map(Number);
  if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 1)) {
    throw new UsageError('at least one --event with a positive integer id is required');
  }
  const limit = flags.count === undefined ? Infinity : Number(flags.count);
  const client = await signIn(flags);

  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    const subscription = client.events.availability.subscribe(
      { event_ids: ids },
      {
        onData(availability) {
          console.log(line(availability));
          if (++seen >= limit) {
            subscription.unsubscribe();
            resolve();
          }
        },
        onError(err) {
          subscription.unsubscribe();
          reject(err);
        },
      },
    );
    process.once('SIGINT', () => {
      subscription.unsubscribe();
      resolve();
    });
  });
});
