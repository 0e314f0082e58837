import type { Metadata } from 'next';
import Link from 'next/link';
import { MaintenanceForm } from '@/components/settings/forms';
import { MaintenanceList } from '@/components/settings/maintenance-list';
import { OpenSloImportForm } from '@/components/alerts/forms';
import { listClusters } from '@/lib/data/clusters';
import { listMaintenanceWindows } from '@/lib/data/slo';
import { formatLabels } from '@/lib/format';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const me = await requirePage();
  const edit = can(me.role, 'settings:write');
  const admin = can(me.role, 'clusters:write');
  const [clusters, maintenance] = await Promise.all([listClusters(), listMaintenanceWindows()]);
  const names = Object.fromEntries(clusters.map((c) => [c.id, c.name]));
  return (
    <>
      <h1>Settings</h1>
      <section className="card" aria-labelledby="clusters-title">
        <div className="page-head">
          <h2 id="clusters-title" className="mt-0">
            Clusters
          </h2>
          {admin ? (
            <Link href="/clusters/new" className="button">
              Add cluster
            </Link>
          ) : null}
        </div>
        {clusters.length === 0 ? (
          <p className="muted">No clusters yet.</p>
        ) : (
          <ul className="settings-list" aria-label="Cluster settings">
            {clusters.map((c) => (
              <li key={c.id}>
                <Link href={`/clusters/${encodeURIComponent(c.id)}/settings`}>{c.name}</Link> <span className="muted">{Object.keys(c.labels).length ? formatLabels(c.labels) : 'no labels'} · {c.server}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="fleet-maint-title">
        <h2 id="fleet-maint-title" className="mt-0">
          Maintenance windows
        </h2>
        <MaintenanceList windows={maintenance} caption="Every maintenance window (fleet-wide and per cluster)" clusterNames={names} canEdit={edit} />
        {edit ? (
          <>
            <h3>Add a fleet-wide window</h3>
            <MaintenanceForm cluster={null} />
          </>
        ) : null}
      </section>
      <section className="card" aria-labelledby="openslo-title">
        <div className="page-head">
          <h2 id="openslo-title" className="mt-0">
            SLOs as OpenSLO
          </h2>
          <a className="button" href="/api/openslo" download>
            Export OpenSLO YAML
          </a>
        </div>
        <p className="muted">
          Every SLO policy as <a href="https://github.com/OpenSLO/OpenSLO">OpenSLO v1</a>: a Service per cluster and an SLO per policy (RatioTimeslices, rolling or calendar window). Import the same YAML here or with{' '}
          <code>npm run quorum -- slo import FILE</code>: it is checked first, every unsupported field is named, and nothing is applied unless all of it can be.
        </p>
        {edit ? <OpenSloImportForm /> : null}
      </section>
    </>
  );
}
