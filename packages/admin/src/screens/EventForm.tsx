// Create or edit an event. The API validates; its messages appear under the field they are about.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client } from '../api';
import { ErrorBox, Loading, PageHeader, TextInput } from '../components/ui';
import { describeError, errorCode, fieldErrorsOf } from '../errors';
import { fromDateTimeLocal, toDateTimeLocal } from '../format';
import { Link, navigate } from '../router';

interface Draft {
  name: string;
  description: string;
  capacity: string;
  start: string;
  end: string;
  is_active: boolean;
}

const EMPTY: Draft = { name: '', description: '', capacity: '', start: '', end: '', is_active: true };

export function EventForm({ id }: { id?: number }) {
  const existing = useQuery({
    queryKey: ['events.byId', id],
    queryFn: () => client.events.byId.query({ id: id! }),
    enabled: id !== undefined,
  });
  if (id !== undefined && existing.isPending) return <Loading what="Loading the event" />;
  if (id !== undefined && existing.isError)
    return <ErrorBox error={existing.error} onRetry={() => void existing.refetch()} />;
  const initial: Draft = existing.data
    ? {
        name: existing.data.name,
        description: existing.data.description,
        capacity: String(existing.data.capacity),
        start: toDateTimeLocal(existing.data.start_time),
        end: toDateTimeLocal(existing.data.end_time),
        is_active: existing.data.is_active,
      }
    : EMPTY;
  return <EventFormFields id={id} initial={initial} />;
}

function EventFormFields({ id, initial }: { id: number | undefined; initial: Draft }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(initial);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const save = useMutation({
    mutationFn: async () => {
      const fields = {
        name: draft.name,
        description: draft.description,
        // A non-number is sent as typed so the API names the field, rather than the form guessing.
        capacity: /^\d+$/.test(draft.capacity) ? Number(draft.capacity) : (draft.capacity as unknown as number),
        start_time: fromDateTimeLocal(draft.start),
        end_time: fromDateTimeLocal(draft.end),
        is_active: draft.is_active,
      };
      return id === undefined ? client.events.create.mutate(fields) : client.events.update.mutate({ id, ...fields });
    },
    onSuccess: async (event) => {
      await queryClient.invalidateQueries();
      navigate(`/events/${event.id}`);
    },
  });

  const errors = fieldErrorsOf(save.error);
  const capacityRefused = errorCode(save.error) === 'CAPACITY_BELOW_RESERVED';
  const fieldNames = new Set(['name', 'description', 'capacity', 'start_time', 'end_time', 'is_active']);
  const otherErrors = Object.entries(errors).filter(([k]) => !fieldNames.has(k));
  const showFormError = save.isError && Object.keys(errors).length === 0 && !capacityRefused;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <>
      <PageHeader
        title={id === undefined ? 'New event' : `Edit “${initial.name}”`}
        back={
          <Link to={id === undefined ? '/events' : `/events/${id}`} className="back">
            ← {id === undefined ? 'Events' : 'Back to the event'}
          </Link>
        }
      />
      <form
        className="card form"
        onSubmit={submit}
        noValidate
        aria-label={id === undefined ? 'New event' : 'Edit event'}
      >
        <TextInput
          label="Name"
          value={draft.name}
          onChange={(e) => set('name', e.target.value)}
          errors={errors.name}
          maxLength={200}
        />
        <div className="field">
          <label htmlFor="ev-description">Description</label>
          <textarea
            id="ev-description"
            rows={3}
            value={draft.description}
            onChange={(e) => set('description', e.target.value)}
            aria-invalid={errors.description ? true : undefined}
          />
          {errors.description && <p className="field-error">{errors.description.join(' ')}</p>}
        </div>
        <TextInput
          label="Capacity"
          inputMode="numeric"
          value={draft.capacity}
          onChange={(e) => set('capacity', e.target.value)}
          errors={capacityRefused ? [describeError(save.error)] : errors.capacity}
          hint="Seats on sale. It cannot go below the seats already held and confirmed."
        />
        <div className="form-row">
          <TextInput
            label="Starts"
            type="datetime-local"
            value={draft.start}
            onChange={(e) => set('start', e.target.value)}
            errors={errors.start_time}
          />
          <TextInput
            label="Ends"
            type="datetime-local"
            value={draft.end}
            onChange={(e) => set('end', e.target.value)}
            errors={errors.end_time}
          />
        </div>
        <div className="field field-check">
          <input
            id="ev-active"
            type="checkbox"
            checked={draft.is_active}
            onChange={(e) => set('is_active', e.target.checked)}
          />
          <label htmlFor="ev-active">Active (open for reservations)</label>
        </div>
        {otherErrors.length > 0 && (
          <p className="alert alert-error" role="alert">
            {otherErrors.map(([k, v]) => `${k}: ${v.join(' ')}`).join(' ')}
          </p>
        )}
        {showFormError && <ErrorBox error={save.error} />}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : id === undefined ? 'Create event' : 'Save changes'}
          </button>
          <Link to={id === undefined ? '/events' : `/events/${id}`} className="btn">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
