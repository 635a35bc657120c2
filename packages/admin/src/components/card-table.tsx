// The lists' table, which becomes one card per row on a phone: there the header row is hidden and each cell shows
// its column's name from its data-label (styles.css), so every cell but the actions one carries data-label.
import type { ReactNode } from 'react';

export function CardTable({ columns, children }: { columns: ReactNode; children: ReactNode }) {
  return (
    <table className="table table-cards">
      <thead>
        <tr>{columns}</tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** The row actions' column: named for screen readers only, since its buttons speak for themselves. */
export function ActionsColumn() {
  return (
    <th scope="col">
      <span className="sr-only">Actions</span>
    </th>
  );
}
