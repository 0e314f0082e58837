// Server component: maintenance windows as a table with remove buttons.
import { ConfirmRemove } from '@/components/settings/forms';
import type { MaintenanceView } from '@/lib/data/slo';
import { formatTime } from '@/lib/format';
import { formatDuration } from '@/lib/slo/format';

export function MaintenanceList({ windows, caption, clusterNames }: { windows: MaintenanceView[]; caption: string; clusterNames?: Record<string, string> }) {
  if (windows.length === 0) return <p className="muted">No maintenance windows.</p>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table data-testid="maintenance-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Applies to</th>
            <th scope="col">Start</th>
            <th scope="col">Duration</th>
            <th scope="col">Repeats</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {windows.map((m) => (
            <tr key={m.id}>
              <th scope="row">{m.title}</th>
              <td>{m.clusterId === null ? 'every cluster' : (clusterNames?.[m.clusterId] ?? 'this cluster')}</td>
              <td>{formatTime(new Date(m.startMs))}</td>
              <td>{formatDuration(m.durationMs)}</td>
              <td>{m.recurrence === 'none' ? 'once' : m.recurrence}</td>
              <td>
                <ConfirmRemove url={`/api/maintenance/${m.id}`} what={`maintenance ${m.title}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
