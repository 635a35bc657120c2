// The filter bar above a list: a search box and labelled filter controls whose values live in the URL (the screen
// owns them through useFilters), and "Clear filters" once any is set. Each control takes its id from the screen
// (`ev-from`, `au-actor`, …): its label points at it, and the page's markup stays put.
import { useId, useState, type FormEvent, type ReactNode } from 'react';

/** The toolbar every list screen has: its filter controls, then "Clear filters" while a filter is set. */
export function FilterBar({
  filtered,
  onClear,
  children,
}: {
  filtered: boolean;
  onClear: () => void;
  children: ReactNode;
}) {
  return (
    <div className="toolbar" role="search">
      {children}
      {filtered && <ClearFiltersButton onClick={onClear} />}
    </div>
  );
}

export function ClearFiltersButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="btn btn-link" onClick={onClick}>
      Clear filters
    </button>
  );
}

/** A search field that applies on Enter or its button, so typing does not rewrite the URL on every key. */
export function SearchBox({
  value,
  onSearch,
  label,
  placeholder,
}: {
  value: string;
  onSearch: (q: string) => void;
  label: string;
  placeholder: string;
}) {
  const id = useId();
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  // The URL changed under the box (Clear filters, back/forward): show what it now says.
  if (value !== seen) {
    setSeen(value);
    setText(value);
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form className="field search" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <div className="input-group">
        <input id={id} type="search" value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="btn">
          Search
        </button>
      </div>
    </form>
  );
}

/** What every filter control takes: its id (for its label), the label, and the value it shows and changes. */
interface FilterProps<Shown, Chosen = Shown> {
  id: string;
  label: string;
  value: Shown;
  onChange: (value: Chosen) => void;
}

/** A filter control under its label; the control itself carries `id`. */
function LabelledControl({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

/** A filter's option: the value kept in the URL and what the menu says for it. */
export type Choice = readonly [value: string, label: string];

/** A labelled menu; "" is the value of an "All"/"Any" choice, which the screen turns into "no filter". */
export function ChoiceFilter({
  id,
  label,
  value,
  choices,
  onChange,
}: FilterProps<string> & { choices: readonly Choice[] }) {
  return (
    <LabelledControl id={id} label={label}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {choices.map(([choice, text]) => (
          <option key={choice} value={choice}>
            {text}
          </option>
        ))}
      </select>
    </LabelledControl>
  );
}

/** A yes/no filter as a menu of three: all (no filter), the "true" choice and the "false" choice. */
export function YesNoFilter({
  id,
  label,
  value,
  yes,
  no,
  onChange,
}: FilterProps<boolean | undefined> & { yes: string; no: string }) {
  return (
    <ChoiceFilter
      id={id}
      label={label}
      value={value === undefined ? '' : String(value)}
      choices={[
        ['', 'All'],
        ['true', yes],
        ['false', no],
      ]}
      onChange={(v) => onChange(v === '' ? undefined : v === 'true')}
    />
  );
}

/** A day (the viewer's local day; the screen turns it into the API's instant with dayBound). */
export function DateFilter({ id, label, value, onChange }: FilterProps<string | undefined, string>) {
  return (
    <LabelledControl id={id} label={label}>
      <input id={id} type="date" value={value ?? ''} onChange={(e) => onChange(e.target.value)} />
    </LabelledControl>
  );
}

/** An object's numeric id (an event, a user): anything but digits clears the filter instead of querying with it. */
export function IdFilter({ id, label, value, onChange }: FilterProps<number | undefined>) {
  return (
    <LabelledControl id={id} label={label}>
      <input
        id={id}
        inputMode="numeric"
        value={value ?? ''}
        onChange={(e) => onChange(/^\d+$/.test(e.target.value) ? Number(e.target.value) : undefined)}
      />
    </LabelledControl>
  );
}
