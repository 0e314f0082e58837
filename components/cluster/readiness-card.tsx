// Server component: the HA readiness checklist (lib/ha/readiness) with the evidence for each item.
import { clusterComponents } from '@/components/cluster/cluster-data';
import { listFailovers } from '@/lib/data/failovers';
import { evaluateReadiness, type Verdict } from '@/lib/ha/readiness';
import { DataTable } from '@/components/data-table';

const MARK: Record<Verdict, string> = { pass: '✓ pass', warn: '! warn', fail: '✕ fail' };

export async function ReadinessCard({ clusterId, server, now }: { clusterId: string; server: string; now: number }) {
  const [snap, failovers] = await Promise.all([clusterComponents(clusterId, now), listFailovers({ clusterId, since: new Date(now - 30 * 86_400_000) })]);
  const items = evaluateReadiness({ server, components: snap.components, failovers });
  const fails = items.filter((i) => i.verdict === 'fail').length;
  const warns = items.filter((i) => i.verdict === 'warn').length;
  return (
    <section className="card" aria-labelledby="readiness-title" data-testid="readiness-card">
      <h2 id="readiness-title" className="mt-0">
        HA readiness
      </h2>
      <p className="muted">
        {fails === 0 && warns === 0 ? 'Every item passes.' : `${fails} failing, ${warns} to verify, of ${items.length} checks.`} Judged from the latest samples and 30 days of failovers.
      </p>
      <DataTable caption="Control-plane HA checklist" columns={['Check', 'Result', 'Evidence']}>
        {items.map((i) => (
          <tr key={i.id} data-check={i.id} data-verdict={i.verdict}>
            <th scope="row">{i.title}</th>
            <td className={i.verdict === 'pass' ? 'check-ok' : i.verdict === 'fail' ? 'check-failed' : 'muted'}>{MARK[i.verdict]}</td>
            <td>{i.evidence}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
