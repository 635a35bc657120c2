// Audit entries as rows: when, who, what, on which object, why, and what changed.
import type { RouterOutputs } from '@holdfast/sdk';
import { actorName, changeSummary } from '../audit-format';
import { formatDateTime } from '../format';
import { Link } from '../router';
import { CardTable } from './card-table';

export type AuditEntry = RouterOutputs['admin']['audit']['list']['results'][number];

function ObjectLink({ entry }: { entry: AuditEntry }) {
  const label = `${entry.object_type}${entry.object_id === null ? '' : ` #${entry.object_id}`}`;
  if (entry.object_type === 'event' && entry.object_id !== null && entry.action !== 'event.delete') {
    return <Link to={`/events/${entry.object_id}`}>{label}</Link>;
  }
  if (entry.object_type === 'user' && entry.object_id !== null) {
    return <Link to={`/audit?actor=${entry.object_id}`}>{label}</Link>;
  }
  return <span>{label}</span>;
}

export function AuditTable({ rows }: { rows: readonly AuditEntry[] }) {
  return (
    <CardTable
      columns={
        <>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Object</th>
          <th scope="col">Reason and changes</th>
        </>
      }
    >
      {rows.map((e) => {
        const changes = changeSummary(e.before, e.after);
        return (
          <tr key={e.id} data-audit={e.action}>
            <td data-label="When">{formatDateTime(e.at)}</td>
            <td data-label="Who">{e.actor === null ? <span className="muted">system</span> : actorName(e)}</td>
            <td data-label="Action">
              <span className="mono">{e.action}</span>
            </td>
            <td data-label="Object">
              <ObjectLink entry={e} />
            </td>
            <td data-label="Reason and changes">
              {e.reason ? <div>“{e.reason}”</div> : null}
              {changes ? <p className="diff">{changes}</p> : null}
              {!e.reason && !changes ? <span className="muted">—</span> : null}
            </td>
          </tr>
        );
      })}
    </CardTable>
  );
}
