// LAST_SUPERUSER counts every active superuser in the database, so it runs on a database of its own (and in a file
// of its own: the models bind to the latest Sequelize instance of a module registry).
import { describe, expect, it } from '@jest/globals';
import { QueryTypes } from 'sequelize';
import { createHarness, createUser, rest } from './support/harness';
import { withIsolatedDatabase } from './support/isolated';

describe('LAST_SUPERUSER (a database of its own: the rule counts every superuser)', () => {
  it('the last active superuser cannot be deactivated or demoted; two admins demoting each other at once leave one', async () => {
    await withIsolatedDatabase('holdfast_lastsu', async (db) => {
      const iso = await createHarness({ DATABASE_URL: db.url });
      try {
        const [root, other] = await Promise.all([createUser(iso, { admin: true }), createUser(iso, { admin: true })]);
        const results = await Promise.all([
          rest(iso, 'PATCH', `/api/admin/users/${other.id}/`, { token: root.access, body: { is_superuser: false } }),
          rest(iso, 'PATCH', `/api/admin/users/${root.id}/`, { token: other.access, body: { is_active: false } }),
        ]);
        const statuses = results.map((r) => r.status).sort();
        expect(statuses).toEqual([200, 409]);
        const refused = results.find((r) => r.status === 409)!;
        expect(refused.body.code).toBe('LAST_SUPERUSER');
        const rows = await iso.rt.sequelize.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM users WHERE is_superuser AND is_active',
          { type: QueryTypes.SELECT },
        );
        expect(rows[0]?.n).toBe(1);
        // The survivor cannot go either, whoever asks.
        const survivor = results[0]!.status === 200 ? root : other;
        const alone = await rest(iso, 'PATCH', `/api/admin/users/${survivor.id}/`, {
          token: survivor.access,
          body: { is_superuser: false },
        });
        expect([alone.status, alone.body.code]).toEqual([409, 'LAST_SUPERUSER']);
      } finally {
        await iso.close();
      }
    });
  });
});
