import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHoldfastClient } from '../src';
import {
  createEvent,
  createUser,
  PASSWORD,
  startLiveServer,
  unique,
  type LiveServer,
  type TestUser,
} from './support/live-server';

const exec = promisify(execFile);
const runner = path.resolve(__dirname, '../examples/run.mjs');

let server: LiveServer;
let admin: TestUser;
beforeAll(async () => {
  server = await startLiveServer();
  admin = await createUser(server.h, { admin: true });
});
afterAll(() => server.close());

/** Runs an example the way `pnpm example <name> -- ...` does, with credentials from the environment. */
async function example(name: string, user: TestUser, ...args: string[]) {
  return exec(process.execPath, [runner, name, '--', ...args], {
    env: { ...process.env, HOLDFAST_URL: server.url, HOLDFAST_USERNAME: user.username, HOLDFAST_PASSWORD: PASSWORD },
  });
}

describe('admin example scripts', () => {
  it('create an event from flags, list it with a capacity bar, show a user’s reservations', async () => {
    const name = unique('Example ');
    const created = await example(
      'create-event',
      admin,
      '--name',
      name,
      '--capacity',
      '10',
      '--start',
      new Date(Date.now() + 86_400_000).toISOString(),
      '--hours',
      '3',
    );
    const id = Number(/created event (\d+)/.exec(created.stdout)?.[1]);
    expect(id).toBeGreaterThan(0);

    const user = await createUser(server.h);
    const client = createHoldfastClient({ url: server.url, session: { access: user.access, refresh: user.refresh } });
    const confirmed = await client.reservations.createHold.mutate({ event_id: id, quantity: 4 });
    await client.reservations.confirm.mutate({ reservation_id: confirmed.id });
    await client.reservations.createHold.mutate({ event_id: id, quantity: 2 });

    const listed = await example('list-events', admin, '--active', '--width', '10');
    const line = listed.stdout.split('\n').find((l) => l.includes(name));
    expect(line).toContain('[████▒▒░░░░]     6/10  (4 confirmed, 2 held)');

    const mine = await example('my-reservations', user);
    expect(mine.stdout).toContain(`reservations of ${user.username}`);
    expect(mine.stdout).toMatch(new RegExp(`CONFIRMED\\s+4 × ${name}`));
    expect(mine.stdout).toMatch(new RegExp(`HOLD\\s+2 × ${name} \\(event ${id}\\).*held until`));
  });

  it('cancel every hold of an event with a reason: a dry run first, then for real with --yes', async () => {
    const event = await server.h.rt.services.events.create({
      name: unique('Closing '),
      capacity: 10,
      start_time: new Date(Date.now() + 86_400_000),
      end_time: new Date(Date.now() + 90_000_000),
    });
    const user = await createUser(server.h);
    const client = createHoldfastClient({ url: server.url, session: { access: user.access, refresh: user.refresh } });
    await client.reservations.createHold.mutate({ event_id: event.id, quantity: 2 });
    await client.reservations.createHold.mutate({ event_id: event.id, quantity: 1 });
    const kept = await client.reservations.createHold.mutate({ event_id: event.id, quantity: 3 });
    await client.reservations.confirm.mutate({ reservation_id: kept.id });

    const dry = await example('cancel-event-holds', admin, '--event', String(event.id), '--reason', 'venue closed');
    expect(dry.stdout).toContain('2 HOLD reservation(s) would be cancelled');
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect((await client.events.byId.query({ id: event.id })).hold_count).toBe(3);

    const real = await example(
      'cancel-event-holds',
      admin,
      '--event',
      String(event.id),
      '--reason',
      'venue closed',
      '--yes',
    );
    expect(real.stdout).toContain('cancelled 2 reservation(s)');
    const after = await client.events.byId.query({ id: event.id });
    expect([after.hold_count, after.confirmed_count]).toEqual([0, 3]);
    const history = await createHoldfastClient({
      url: server.url,
      session: { access: admin.access, refresh: admin.refresh },
    }).admin.audit.list.query({ action: 'reservation.cancel', actor: admin.id });
    expect(history.results.filter((e) => e.reason === 'venue closed').length).toBeGreaterThanOrEqual(2);
  });

  it('explain a refused call in one line and exit non-zero', async () => {
    const user = await createUser(server.h);
    const failed = await example(
      'create-event',
      user,
      '--name',
      'x',
      '--capacity',
      '1',
      '--start',
      '2030-01-01T00:00:00Z',
    )
      .then(() => null)
      .catch((e: { code: number; stderr: string }) => e);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim()).toBe('error: FORBIDDEN (403): Only superuser (admin) can create events.');
  });
});

describe('watch-availability', () => {
  it('prints the current seats, then each change, and exits after --count updates', async () => {
    const user = await createUser(server.h);
    const event = await createEvent(server.h, { capacity: 10 });
    const child = spawn(
      process.execPath,
      [runner, 'watch-availability', '--', '--event', String(event.id), '--count', '2'],
      {
        env: {
          ...process.env,
          HOLDFAST_URL: server.url,
          HOLDFAST_USERNAME: user.username,
          HOLDFAST_PASSWORD: PASSWORD,
        },
      },
    );
    let stdout = '';
    const firstLine = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await firstLine;
    const client = createHoldfastClient({ url: server.url, session: { access: user.access, refresh: user.refresh } });
    await client.reservations.createHold.mutate({ event_id: event.id, quantity: 3 });
    expect(await exited).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`event ${event.id}: 10/10 free  \\(0 held, 0 confirmed\\)$`));
    expect(lines[1]).toMatch(new RegExp(`event ${event.id}: 7/10 free  \\(3 held, 0 confirmed\\)$`));
  });
});
