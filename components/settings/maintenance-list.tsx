// Server component: maintenance windows as a table with remove buttons.
import { ConfirmRemove } from '@/components/settings/forms';
import type { MaintenanceView } from '@/lib/data/slo';
import { formatTime } from '@/lib/format';
import { formatDuration } from '@/lib/slo/format';
import { ACTIONS_HEADER, DataTable } from '@/components/data-table';

export function MaintenanceList({ windows, caption, clusterNames, canEdit }: { windows: MaintenanceView[]; caption: string; clusterNames?: Record<string, string>; canEdit: boolean }) {
  if (windows.length === 0) return <p className="muted">No maintenance windows.</p>;
  return (
    <DataTable testId="maintenance-table" caption={caption} columns={['Title', 'Applies to', 'Start', 'Duration', 'Repeats', 'Created by', canEdit ? ACTIONS_HEADER : null]}>
      {windows.map((m) => (
        <tr key={m.id}>
          <th scope="row">
            {m.title} {m.retroactive ? <RetroactiveBadge by={m.createdBy} /> : null}
          </th>
          <td>{m.clusterId === null ? 'every cluster' : (clusterNames?.[m.clusterId] ?? 'this cluster')}</td>
          <td>{formatTime(new Date(m.startMs))}</td>
          <td>{formatDuration(m.durationMs)}</td>
          <td>{m.recurrence === 'none' ? 'once' : m.recurrence}</td>
          <td>
            {m.createdBy ?? <span className="muted">unknown</span>}
            {m.createdByRole ? <span className="muted"> ({m.createdByRole})</span> : null}
            <br />
            <span className="muted">{formatTime(new Date(m.createdAt))}</span>
          </td>
          {canEdit ? (
            <td>
              <ConfirmRemove url={`/api/maintenance/${m.id}`} what={`maintenance ${m.title}`} />
            </td>
          ) : null}
        </tr>
      ))}
    </DataTable>
  );
}

/** A window created after its start: elapsed time was turned into maintenance. Shown wherever the window is. */
export function RetroactiveBadge({ by }: { by: string | null }) {
  return (
    <span className="badge badge-retroactive" title={`Created after its start by ${by ?? 'an unknown author'}: time that had already passed counts as maintenance`}>
      retroactive · {by ?? 'unknown'}
    </span>
  );
}
