import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHoldfastClient, isHoldfastError, type HoldfastClient } from '../src';
import { createUser, startLiveServer, unique, type LiveServer } from './support/live-server';

let server: LiveServer;
let admin: HoldfastClient;
beforeAll(async () => {
  server = await startLiveServer();
  const { access, refresh } = await createUser(server.h, { admin: true });
  admin = createHoldfastClient({ url: server.url, session: { access, refresh } });
});
afterAll(() => server.close());

const tomorrow = (hours: number) => new Date(Date.now() + 24 * 3600_000 + hours * 3600_000).toISOString();

describe('an admin managing events', () => {
  it('creates, patches, replaces and deletes an event', async () => {
    const name = unique('Concert ');
    const created = await admin.events.create.mutate({
      name,
      description: 'Doors at seven.',
      capacity: 120,
      start_time: tomorrow(0),
      end_time: tomorrow(3),
    });
    expect(created).toMatchObject({ name, capacity: 120, available_capacity: 120, is_active: true });

    const patched = await admin.events.patch.mutate({ id: created.id, capacity: 80, is_active: false });
    expect(patched).toMatchObject({ id: created.id, name, capacity: 80, is_active: false });

    const replaced = await admin.events.update.mutate({
      id: created.id,
      name: `${name} (moved)`,
      capacity: 90,
      start_time: tomorrow(24),
      end_time: tomorrow(27),
    });
    expect(replaced).toMatchObject({ name: `${name} (moved)`, capacity: 90 });

    await expect(admin.events.delete.mutate({ id: created.id })).resolves.toEqual({
      message: 'Event deleted successfully.',
    });
    const gone = await admin.events.byId.query({ id: created.id }).catch((e: unknown) => e);
    expect(isHoldfastError(gone) && [gone.code, gone.status]).toEqual(['NOT_FOUND', 404]);
  });

  it('refuses event changes to a user who is not an admin', async () => {
    const { access, refresh } = await createUser(server.h);
    const user = createHoldfastClient({ url: server.url, session: { access, refresh } });
    const err = await user.events.create
      .mutate({ name: unique('Nope '), capacity: 1, start_time: tomorrow(0), end_time: tomorrow(1) })
      .catch((e: unknown) => e);
    expect(isHoldfastError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'FORBIDDEN', status: 403, message: 'Only superuser (admin) can create events.' });
  });
});
