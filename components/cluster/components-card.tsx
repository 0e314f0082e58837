// Server component: the current state of every component and replica (lib/data/components).
import { StatusBadge } from '@/components/status-badge';
import { getComponents } from '@/lib/data/components';
import { formatAge, formatLatency, formatTime } from '@/lib/format';

export async function ComponentsCard({ clusterId, now }: { clusterId: string; now: number }) {
  const snap = await getComponents(clusterId, { now: new Date(now) });
  return (
    <section className="card" aria-labelledby="components-title" data-testid="components-card">
      <h2 id="components-title" style={{ marginTop: 0 }}>
        Components now
      </h2>
      <div className="table-wrap">
        <table>
          <caption>Latest sample of each component and replica (older than {Math.round(snap.staleAfterMs / 1000)} s reads unknown)</caption>
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Target</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              <th scope="col">Latency</th>
              <th scope="col">Sampled</th>
            </tr>
          </thead>
          <tbody>
            {snap.components.map((c) => (
              <tr key={`${c.probe}|${c.target}|${c.component}`} data-component={c.component}>
                <th scope="row" className="mono">
                  {c.component}
                </th>
                <td className="mono" title={c.source}>
                  {c.label}
                </td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td>{c.reason}</td>
                <td>{formatLatency(c.latencyMs)}</td>
                <td>{c.at ? <time dateTime={c.at} title={formatTime(c.at)}>{formatAge(c.at, now)}</time> : 'never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
