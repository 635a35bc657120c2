// Creates an event (admin account required).
//   pnpm --filter @holdfast/sdk example create-event -- --name "Jazz night" --capacity 120 \
//     --start 2026-12-01T19:00:00Z --hours 3
import { parseFlags, run, signIn, UsageError } from './sign-in';

const usage = `Usage: create-event --name NAME --capacity N --start ISO (--end ISO | --hours H) [options]
  --name NAME          event name (1-200 characters)
  --capacity N         seats (>= 1)
  --start ISO          start time, e.g. 2026-12-01T19:00:00Z
  --end ISO            end time, or:
  --hours H            length in hours (default 2)
  --description TEXT   description
  --inactive           create it deactivated (no holds until activated)`;

run(async () => {
  const flags = parseFlags(
    {
      name: { type: 'string' },
      capacity: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      hours: { type: 'string' },
      description: { type: 'string' },
      inactive: { type: 'boolean' },
    },
    usage,
  );
  if (!flags.name || !flags.capacity || !flags.start)
    throw new UsageError('--name, --capacity and --start are required');
  const capacity = Number(flags.capacity);
  const start = new Date(flags.start);
  if (Number.isNaN(start.getTime())) throw new UsageError(`--start is not a date: ${flags.start}`);
  const end = flags.end ? new Date(flags.end) : new Date(start.getTime() + Number(flags.hours ?? 2) * 3600_000);
  if (Number.isNaN(end.getTime())) throw new UsageError('--end / --hours does not give a valid end time');

  const client = await signIn(flags);
  const event = await client.events.create.mutate({
    name: flags.name,
    capacity,
    start_time: start.toISOString(),
    end_time: end.toISOString(),
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    ...(flags.inactive ? { is_active: false } : {}),
  });
  console.log(`created event ${event.id}: ${event.name}`);
  console.log(
    `  ${event.capacity} seats, ${event.start_time} → ${event.end_time}${event.is_active ? '' : ' (inactive)'}`,
  );
});
