// Small building blocks every screen uses: the three states of a query (loading, empty, error), labelled fields
// with their error under them, pagination links, status badges and the capacity bar.
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { describeError } from '../errors';
import { capacityParts, formatCount } from '../format';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="alert alert-error" role="alert">
      <span>{describeError(error)}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'warning'; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role="status">
      {children}
    </div>
  );
}

interface FieldProps {
  label: string;
  errors?: string[] | undefined;
  hint?: string;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}

/** A label, the control (given its id and ARIA links) and the API's messages for it. */
export function Field({ label, errors, hint, children }: FieldProps) {
  const id = useId();
  const messageId = `${id}-msg`;
  const hasError = !!errors?.length;
  return (
    <div className={`field${hasError ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(hasError ? { 'aria-invalid': true as const } : {}),
        ...(hasError || hint ? { 'aria-describedby': messageId } : {}),
      })}
      {hasError ? (
        <p className="field-error" id={messageId}>
          {errors.join(' ')}
        </p>
      ) : hint ? (
        <p className="field-hint" id={messageId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function TextInput({
  label,
  errors,
  hint,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  errors?: string[] | undefined;
  hint?: string;
}) {
  return (
    <Field label={label} errors={errors} {...(hint ? { hint } : {})}>
      {(aria) => <input {...input} {...aria} />}
    </Field>
  );
}

export function Select({ label, children, ...select }: SelectHTMLAttributes<HTMLSelectElement> & { label: string }) {
  return (
    <Field label={label}>
      {(aria) => (
        <select {...select} {...aria}>
          {children}
        </select>
      )}
    </Field>
  );
}

const STATUS_CLASS: Record<string, string> = {
  HOLD: 'badge-hold',
  CONFIRMED: 'badge-confirmed',
  CANCELLED: 'badge-cancelled',
  EXPIRED: 'badge-expired',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${STATUS_CLASS[status] ?? ''}`}>{status.toLowerCase()}</span>;
}

export function ActiveBadge({ active }: { active: boolean }) {
  return (
    <span className={`badge ${active ? 'badge-active' : 'badge-inactive'}`}>{active ? 'active' : 'inactive'}</span>
  );
}

export function CapacityBar(props: {
  capacity: number;
  confirmed_count: number;
  hold_count: number;
  available_capacity: number;
}) {
  const p = capacityParts(props);
  const label = `${p.confirmed} confirmed, ${p.held} held, ${p.free} free of ${props.capacity}`;
  return (
    <div className="capacity" data-testid="capacity">
      <div className="capacity-bar" role="img" aria-label={label} title={label}>
        <span className="seg seg-confirmed" style={{ width: `${p.confirmedPct}%` }} />
        <span className="seg seg-held" style={{ width: `${p.heldPct}%` }} />
        <span className="seg seg-free" style={{ width: `${p.freePct}%` }} />
      </div>
      <div className="capacity-legend">
        <span>
          <i className="dot dot-confirmed" aria-hidden="true" />
          {p.confirmed} confirmed
        </span>
        <span>
          <i className="dot dot-held" aria-hidden="true" />
          {p.held} held
        </span>
        <span>
          <i className="dot dot-free" aria-hidden="true" />
          {p.free} free
        </span>
      </div>
    </div>
  );
}

/** Previous/next page controls and the position, for DRF-style pages of 20. */
export function Pagination({
  page,
  count,
  pageSize = 20,
  onPage,
  noun,
  plural = `${noun}s`,
}: {
  page: number;
  count: number;
  pageSize?: number;
  onPage: (page: number) => void;
  noun: string;
  plural?: string;
}) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const first = count === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(count, page * pageSize);
  return (
    <nav className="pagination" aria-label="Pages">
      <span className="muted">
        {count === 0 ? `No ${plural}` : `${first}–${last} of ${formatCount(count, noun, plural)}`}
      </span>
      <span className="pagination-buttons">
        <button type="button" className="btn btn-small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          ← Previous
        </button>
        <span className="muted">
          Page {page} of {pages}
        </span>
        <button type="button" className="btn btn-small" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          Next →
        </button>
      </span>
    </nav>
  );
}

export function PageHeader({ title, children, back }: { title: ReactNode; children?: ReactNode; back?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        {back}
        <h1>{title}</h1>
      </div>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}
