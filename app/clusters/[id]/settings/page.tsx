import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ClusterTabs } from '@/components/cluster/cluster-tabs';
import { RemoveClusterButton } from '@/components/remove-cluster-button';
import { ConfirmRemove, LabelsForm, MaintenanceForm, PolicyForm, ProbeSettingsForm } from '@/components/settings/forms';
import { MaintenanceList } from '@/components/settings/maintenance-list';
import { getCluster } from '@/lib/data/clusters';
import { listMaintenanceWindows, listSeries, listSloPolicies } from '@/lib/data/slo';
import { formatLabels, formatPercent } from '@/lib/format';
import { DEFAULT_COVERAGE_FLOOR } from '@/lib/slo/state';
import { DEFAULT_SLO_POLICY } from '@/lib/slo/policy';
import { SLO_WINDOW_LABELS, targetPercentLabel } from '@/lib/slo/targets';
import { clusterParam } from '../cluster-param';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { ACTIONS_HEADER, DataTable } from '@/components/data-table';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  await requirePage();
  const { id } = await params;
  const cluster = await getCluster(clusterParam(id));
  return { title: cluster ? `${cluster.name} settings` : 'Cluster not found' };
}

export default async function ClusterSettingsPage({ params }: Props) {
  const me = await requirePage();
  const edit = can(me.role, 'settings:write');
  const admin = can(me.role, 'clusters:write');
  const { id } = await params;
  const cluster = await getCluster(clusterParam(id));
  if (!cluster) notFound();
  const [policies, maintenance, series] = await Promise.all([listSloPolicies([cluster.id]), listMaintenanceWindows([cluster.id]), listSeries({ clusterIds: [cluster.id] })]);
  const components = [...new Set(series.map((s) => s.component))].sort();
  return (
    <>
      <h1>{cluster.name}: settings</h1>
      <ClusterTabs id={cluster.id} current="settings" />
      <section className="card" aria-labelledby="labels-title">
        <h2 id="labels-title" className="mt-0">
          Labels
        </h2>
        {edit ? <LabelsForm clusterId={cluster.id} labels={formatLabels(cluster.labels).replaceAll(', ', ',')} /> : <p>{Object.keys(cluster.labels).length ? formatLabels(cluster.labels) : <span className="muted">No labels.</span>}</p>}
      </section>
      <section className="card" aria-labelledby="probe-title">
        <h2 id="probe-title" className="mt-0">
          What to probe
        </h2>
        {edit ? (
          <ProbeSettingsForm clusterId={cluster.id} leases={cluster.settings.leases} dnsServers={cluster.settings.dnsServers} />
        ) : (
          <dl className="facts">
            <dt>Extra Leases</dt>
            <dd>{cluster.settings.leases.length ? cluster.settings.leases.join(', ') : 'none'}</dd>
            <dt>Extra DNS servers</dt>
            <dd>{cluster.settings.dnsServers.length ? cluster.settings.dnsServers.join(', ') : 'none'}</dd>
          </dl>
        )}
      </section>
      <section className="card" aria-labelledby="policies-title">
        <h2 id="policies-title" className="mt-0">
          SLO policies
        </h2>
        <p className="muted">
          Without a stored policy the default is {targetPercentLabel(DEFAULT_SLO_POLICY.objective)} over a {SLO_WINDOW_LABELS[DEFAULT_SLO_POLICY.window]}, judged once {formatPercent(DEFAULT_COVERAGE_FLOOR, 0)} of the window is covered by data. A component policy overrides the cluster default (“*”).
        </p>
        {policies.length > 0 ? (
          <DataTable testId="policies-table" caption="Stored policies" columns={['Component', 'Objective', 'Window', 'Coverage floor', edit ? ACTIONS_HEADER : null]}>
            {policies.map((p) => (
              <tr key={p.id}>
                <th scope="row" className="mono">
                  {p.component}
                </th>
                <td>{targetPercentLabel(p.objective)}</td>
                <td>{SLO_WINDOW_LABELS[p.window]}</td>
                <td>{p.coverageFloor === null || p.coverageFloor === undefined ? <span className="muted">default 75 %</span> : formatPercent(p.coverageFloor, 0)}</td>
                {edit ? (
                  <td>
                    <ConfirmRemove url={`/api/clusters/${encodeURIComponent(cluster.id)}/slo-policies?component=${encodeURIComponent(p.component)}`} what={`policy ${p.component}`} />
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        ) : (
          <p className="muted">No stored policy: the built-in default applies.</p>
        )}
        {edit ? <PolicyForm clusterId={cluster.id} components={components} /> : null}
      </section>
      <section className="card" aria-labelledby="maint-title">
        <h2 id="maint-title" className="mt-0">
          Maintenance windows
        </h2>
        <p className="muted">Time inside them is neither good nor bad: left out of availability and budgets, shaded on charts.</p>
        <MaintenanceList windows={maintenance} caption={`Maintenance windows that apply to ${cluster.name}`} clusterNames={{ [cluster.id]: cluster.name }} canEdit={edit} />
        {edit ? <MaintenanceForm cluster={cluster.id} /> : <p className="muted">Your role ({me.role}) can read these settings; editors change them.</p>}
      </section>
      {admin ? (
        <section className="card" aria-labelledby="danger-title">
          <h2 id="danger-title" className="mt-0">
            Remove
          </h2>
          <RemoveClusterButton id={cluster.id} name={cluster.name} />
        </section>
      ) : null}
    </>
  );
}
