// Lists events with a capacity bar: █ confirmed, ▒ held, ░ free.
//   pnpm --filter @holdfast/sdk example list-events -- --active
import type { Event } from '../src';
import { parseFlags, run, signIn } from './sign-in';

const usage = `Usage: list-events [options]
  --active           only active events
  --inactive         only inactive events
  --from DATE        events starting at or after DATE
  --to DATE          events ending at or before DATE
  --width N          bar width in characters (default 30)`;

function capacityBar(event: Pick<Event, 'capacity' | 'confirmed_count' | 'hold_count'>, width: number): string {
  const cells = (seats: number) => Math.round((Math.min(seats, event.capacity) / event.capacity) * width);
  const confirmed = cells(event.confirmed_count);
  const held = Math.min(cells(event.confirmed_count + event.hold_count) - confirmed, width - confirmed);
  return `${'█'.repeat(confirmed)}${'▒'.repeat(held)}${'░'.repeat(width - confirmed - held)}`;
}

run(async () => {
  const flags = parseFlags(
    {
      active: { type: 'boolean' },
      inactive: { type: 'boolean' },
      from: { type: 'string' },
      to: { type: 'string' },
      width: { type: 'string' },
    },
    usage,
  );
  const width = Math.max(5, Number(flags.width ?? 30) || 30);
  const client = await signIn(flags);

  const events: Event[] = [];
  for (let page = 1; ; page++) {
    const result = await client.events.list.query({
      page,
      ...(flags.active ? { is_active: true } : flags.inactive ? { is_active: false } : {}),
      ...(flags.from ? { start_date: flags.from } : {}),
      ...(flags.to ? { end_date: flags.to } : {}),
    });
    events.push(...result.results);
    if (!result.next) break;
  }
  if (events.length === 0) {
    console.log('no events');
    return;
  }
  const nameWidth = Math.min(32, Math.max(...events.map((e) => e.name.length)));
  for (const e of events) {
    const taken = e.capacity - e.available_capacity;
    const name = e.name.length > nameWidth ? `${e.name.slice(0, nameWidth - 1)}…` : e.name.padEnd(nameWidth);
    console.log(
      `${String(e.id).padStart(5)}  ${name}  [${capacityBar(e, width)}] ${String(taken).padStart(5)}/${e.capacity}` +
        `  (${e.confirmed_count} confirmed, ${e.hold_count} held)  ${e.start_time}${e.is_active ? '' : '  inactive'}`,
    );
  }
  console.log(`${events.length} event${events.length === 1 ? '' : 's'}  █ confirmed  ▒ held  ░ free`);
});
