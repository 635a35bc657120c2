// Users: search and filters, activate/deactivate, superuser on/off, set a password. The API refuses changes to
// one's own account and removing the last active superuser; those refusals are explained where they happen.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client } from '../api';
import { ActionsColumn, CardTable } from '../components/card-table';
import { ConfirmDialog } from '../components/dialog';
import { FilterBar, SearchBox, YesNoFilter } from '../components/filter-bar';
import { PagedResults } from '../components/query-state';
import { Field, Notice, PageHeader } from '../components/ui';
import { fieldErrorsOf } from '../errors';
import { formatDateTime } from '../format';
import { useWhoAmI, type AdminUser } from '../whoami';
import { userFilters } from './filters';
import { useFilters } from './use-filters';

type Change =
  | { kind: 'active'; user: AdminUser; to: boolean }
  | { kind: 'superuser'; user: AdminUser; to: boolean }
  | { kind: 'password'; user: AdminUser };

export function UsersScreen() {
  const { values: f, update, reset } = useFilters(userFilters);
  const { me } = useWhoAmI();
  const input = {
    ...(f.q ? { q: f.q } : {}),
    ...(f.active !== undefined ? { is_active: f.active } : {}),
    ...(f.superuser !== undefined ? { is_superuser: f.superuser } : {}),
    page: f.page ?? 1,
  };
  const list = useQuery({
    queryKey: ['admin.users.list', input],
    queryFn: () => client.admin.users.list.query(input),
    placeholderData: keepPreviousData,
  });
  const [change, setChange] = useState<Change | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const filtered = !!(f.q || f.active !== undefined || f.superuser !== undefined);

  return (
    <>
      <PageHeader title="Users" />
      {done && <Notice kind="success">{done}</Notice>}
      <FilterBar filtered={filtered} onClear={reset}>
        <SearchBox
          value={f.q ?? ''}
          onSearch={(q) => update({ q })}
          label="Search users"
          placeholder="Username, email or name"
        />
        <YesNoFilter
          id="us-active"
          label="Account"
          value={f.active}
          yes="Active"
          no="Deactivated"
          onChange={(active) => update({ active })}
        />
        <YesNoFilter
          id="us-super"
          label="Role"
          value={f.superuser}
          yes="Superusers"
          no="Regular users"
          onChange={(superuser) => update({ superuser })}
        />
      </FilterBar>

      <PagedResults
        query={list}
        loading="Loading users"
        empty="No user matches these filters."
        page={f.page ?? 1}
        onPage={(page) => update({ page })}
        noun="user"
      >
        {(users) => (
          <CardTable
            columns={
              <>
                <th scope="col">User</th>
                <th scope="col">Role and account</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Joined</th>
                <ActionsColumn />
              </>
            }
          >
            {users.map((u) => {
              const self = u.id === me.id;
              const selfHint = self ? 'You cannot deactivate or demote your own account.' : undefined;
              return (
                <tr key={u.id} data-user={u.username}>
                  <td data-label="User">
                    <span className="strong">{u.username}</span> {self && <span className="muted small">(you)</span>}
                    <div className="muted small">
                      {[u.first_name, u.last_name, u.email].filter(Boolean).join(' · ')}
                    </div>
                  </td>
                  <td data-label="Role and account">
                    {u.is_superuser && <span className="badge badge-super">superuser</span>}{' '}
                    <span className={`badge ${u.is_active ? 'badge-active' : 'badge-inactive'}`}>
                      {u.is_active ? 'active' : 'deactivated'}
                    </span>
                  </td>
                  <td data-label="Last sign-in">{formatDateTime(u.last_login)}</td>
                  <td data-label="Joined">{formatDateTime(u.created_at)}</td>
                  <td className="col-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={self}
                      title={selfHint}
                      onClick={() => setChange({ kind: 'active', user: u, to: !u.is_active })}
                    >
                      {u.is_active ? 'Deactivate' : 'Activate'}
                      <span className="sr-only"> {u.username}</span>
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={self}
                      title={selfHint}
                      onClick={() => setChange({ kind: 'superuser', user: u, to: !u.is_superuser })}
                    >
                      {u.is_superuser ? 'Remove superuser' : 'Make superuser'}
                      <span className="sr-only"> {u.username}</span>
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setChange({ kind: 'password', user: u })}
                    >
                      Set password<span className="sr-only"> for {u.username}</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </CardTable>
        )}
      </PagedResults>
      {change && (
        <UserChangeDialog
          change={change}
          onClose={() => setChange(null)}
          onDone={(message) => {
            setChange(null);
            setDone(message);
          }}
        />
      )}
    </>
  );
}

function UserChangeDialog({
  change,
  onClose,
  onDone,
}: {
  change: Change;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const name = change.user.username;
  const run = useMutation({
    mutationFn: async () => {
      const id = change.user.id;
      if (change.kind === 'password') await client.admin.users.setPassword.mutate({ id, password });
      else if (change.kind === 'active') await client.admin.users.update.mutate({ id, is_active: change.to });
      else await client.admin.users.update.mutate({ id, is_superuser: change.to });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      onDone(
        change.kind === 'password'
          ? `${name}’s password was changed; their sessions were ended.`
          : change.kind === 'active'
            ? `${name} was ${change.to ? 'activated' : 'deactivated'}.`
            : `${name} is ${change.to ? 'now a superuser' : 'no longer a superuser'}.`,
      );
    },
  });
  const errors = fieldErrorsOf(run.error);
  const title =
    change.kind === 'password'
      ? `Set a new password for ${name}`
      : change.kind === 'active'
        ? `${change.to ? 'Activate' : 'Deactivate'} ${name}?`
        : `${change.to ? 'Make' : 'Stop'} ${name} ${change.to ? 'a superuser' : 'being a superuser'}?`;
  return (
    <ConfirmDialog
      title={title}
      confirmLabel={
        change.kind === 'password'
          ? 'Set password'
          : change.kind === 'active'
            ? change.to
              ? 'Activate'
              : 'Deactivate'
            : 'Confirm'
      }
      danger={change.kind === 'active' && !change.to}
      busy={run.isPending}
      disabled={change.kind === 'password' && password.length === 0}
      error={run.isError && Object.keys(errors).length === 0 ? run.error : undefined}
      onConfirm={() => run.mutate()}
      onClose={onClose}
    >
      {change.kind === 'active' && (
        <p>
          {change.to
            ? `${name} can sign in again.`
            : `${name} is signed out everywhere at once and cannot sign in until activated again.`}
        </p>
      )}
      {change.kind === 'superuser' && (
        <p>
          {change.to
            ? `${name} gets full access to this back office and to event management.`
            : `${name} loses access to this back office.`}
        </p>
      )}
      {change.kind === 'password' && (
        <Field
          label="New password"
          errors={errors.password}
          hint="At least 8 characters, not only digits, not common, not like the username or email."
        >
          {(aria) => (
            <input
              {...aria}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoFocus
            />
          )}
        </Field>
      )}
    </ConfirmDialog>
  );
}
