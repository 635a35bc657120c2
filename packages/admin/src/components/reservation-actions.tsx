// The actions on one reservation (cancel with a reason, extend, expire), each behind a confirmation and sent with
// an Idempotency-Key made when the dialog opens: retrying from the same dialog cannot act twice.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Reservation } from '@holdfast/sdk';
import { client, newIdempotencyKey } from '../api';
import { fieldErrorsOf } from '../errors';
import { formatDateTime } from '../format';
import { allowedActions, type ReservationAction } from '../reservation-rules';
import { ConfirmDialog } from './dialog';
import { Field } from './ui';

export function ReservationActions({ reservation }: { reservation: Reservation }) {
  const [open, setOpen] = useState<ReservationAction | null>(null);
  const actions = allowedActions(reservation);
  if (actions.length === 0) return <span className="muted small">—</span>;
  const label = `#${reservation.id}`;
  return (
    <>
      {actions.includes('extend') && (
        <button type="button" className="btn btn-small" onClick={() => setOpen('extend')}>
          Extend<span className="sr-only"> {label}</span>
        </button>
      )}
      {actions.includes('expire') && (
        <button type="button" className="btn btn-small" onClick={() => setOpen('expire')}>
          Expire<span className="sr-only"> {label}</span>
        </button>
      )}
      {actions.includes('cancel') && (
        <button type="button" className="btn btn-small btn-danger-outline" onClick={() => setOpen('cancel')}>
          Cancel<span className="sr-only"> {label}</span>
        </button>
      )}
      {open && <ActionDialog action={open} reservation={reservation} onClose={() => setOpen(null)} />}
    </>
  );
}

function ActionDialog({
  action,
  reservation,
  onClose,
}: {
  action: ReservationAction;
  reservation: Reservation;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [key] = useState(newIdempotencyKey);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('10');
  const run = useMutation({
    mutationFn: async () => {
      const context = { context: { idempotencyKey: key } };
      const id = reservation.id;
      if (action === 'cancel') return client.admin.reservations.cancel.mutate({ id, reason }, context);
      if (action === 'extend') {
        return client.admin.reservations.extend.mutate({ id, minutes: Number(minutes) }, context);
      }
      return client.admin.reservations.expire.mutate({ id }, context);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      onClose();
    },
  });
  const errors = fieldErrorsOf(run.error);
  const who = `${reservation.quantity} seat${reservation.quantity === 1 ? '' : 's'} of ${reservation.user_username} for “${reservation.event_name}”`;
  const titles: Record<ReservationAction, string> = {
    cancel: `Cancel reservation #${reservation.id}?`,
    extend: `Extend hold #${reservation.id}?`,
    expire: `Expire hold #${reservation.id} now?`,
  };
  return (
    <ConfirmDialog
      title={titles[action]}
      confirmLabel={action === 'cancel' ? 'Cancel reservation' : action === 'extend' ? 'Extend hold' : 'Expire now'}
      danger={action !== 'extend'}
      busy={run.isPending}
      error={run.isError && Object.keys(errors).length === 0 ? run.error : undefined}
      onConfirm={() => run.mutate()}
      onClose={onClose}
    >
      <p>
        {action === 'cancel' && <>This frees {who}. The user sees it as cancelled.</>}
        {action === 'extend' && (
          <>
            The hold on {who} now lapses {formatDateTime(reservation.expires_at)}; extending gives it more time.
          </>
        )}
        {action === 'expire' && <>This releases {who} at once, as if the hold had lapsed.</>}
      </p>
      {action === 'cancel' && (
        <Field label="Reason" errors={errors.reason} hint="Required. Kept in the audit log (up to 500 characters).">
          {(aria) => (
            <textarea
              {...aria}
              rows={3}
              maxLength={500}
              required
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              autoFocus
            />
          )}
        </Field>
      )}
      {action === 'extend' && (
        <Field label="Minutes to add" errors={errors.minutes} hint="From 1 to 60.">
          {(aria) => (
            <input
              {...aria}
              type="number"
              min={1}
              max={60}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
              autoFocus
            />
          )}
        </Field>
      )}
    </ConfirmDialog>
  );
}
