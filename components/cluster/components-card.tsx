// Server component: the current state of every component and replica (lib/data/components), as a
// grid in Kubernetes terms: API server (the endpoint / LB and each replica), etcd, kube-scheduler,
// kube-controller-manager, cloud-controller-manager (holder, renew age vs lease duration), CoreDNS,
// worker nodes. Only facts the collector stored are shown; what it cannot know is said, not guessed.
import { StatusBadge } from '@/components/status-badge';
import { clusterComponents, componentStateName } from '@/components/cluster/cluster-data';
import type { ComponentState } from '@/lib/data/components';
import { componentName, formatAge, formatLatency, formatTime, type DisplayZone } from '@/lib/format';
import type { Status } from '@/lib/types';
import { DataTable } from '@/components/data-table';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const SEVERITY: Record<Status, number> = { up: 0, unknown: 1, degraded: 2, down: 3 };

function worst(list: readonly ComponentState[]): Status | null {
  const seen = list.filter((c) => c.at !== null);
  if (seen.length === 0) return null;
  return seen.reduce<Status>((w, c) => (SEVERITY[c.status] > SEVERITY[w] ? c.status : w), 'up');
}

/** The reason as shown: a stale sample says for how long nothing came, not the old ISO time. */
function why(c: ComponentState, now: number): string {
  return c.stale && c.at ? `no sample for ${formatAge(c.at, now).replace(/ ago$/, '')}: is the collector running?` : c.reason;
}

function Sampled({ c, now, zone }: { c: ComponentState; now: number; zone: DisplayZone }) {
  return c.at ? (
    <time dateTime={c.at} title={formatTime(c.at, zone)}>
      {formatAge(c.at, now)}
    </time>
  ) : (
    <>never</>
  );
}

function Tile({ title, component, status, children }: { title: string; component: string; status: Status | null; children: React.ReactNode }) {
  const id = `tile-${component}`;
  return (
    <li className="component-tile" data-component={component} data-status={status ?? 'nodata'} aria-labelledby={id}>
      <h3 id={id}>
        <span>{title}</span>
        <StatusBadge status={status} />
      </h3>
      {children}
    </li>
  );
}

function LeaseTile({ c, now, zone }: { c: ComponentState; now: number; zone: DisplayZone }) {
  const f = c.facts ?? {};
  const holder = str(f.holder);
  const renewAgeMs = num(f.renewAgeMs);
  const durS = num(f.leaseDurationSeconds);
  const transitions = num(f.leaseTransitions);
  const ratio = renewAgeMs !== null && durS ? renewAgeMs / (durS * 1000) : null;
  return (
    <Tile title={componentName('leader-election', c.target)} component={c.component} status={c.at ? c.status : null}>
      <p className="mono" title={c.source}>
        Lease {c.target}
      </p>
      {holder ? (
        <p>
          Leader <strong className="mono" data-testid="lease-holder">{holder}</strong>
        </p>
      ) : (
        <p className="muted">{c.at ? 'no holder' : 'not seen yet'}</p>
      )}
      {ratio !== null ? (
        <>
          <div className={`renew-bar${ratio > 1 ? ' late' : ''}`} role="img" aria-label={`renewed ${(renewAgeMs! / 1000).toFixed(1)} s ago of a ${durS} s lease`}>
            <span style={{ width: `${Math.min(1, ratio) * 100}%` }} />
          </div>
          <p>
            renewed {(renewAgeMs! / 1000).toFixed(1)} s ago · lease {durS} s{transitions !== null ? ` · ${transitions} transitions` : ''}
          </p>
        </>
      ) : null}
      <p className="muted">
        {c.status !== 'up' ? `${why(c, now)} · ` : 'sampled '}
        <Sampled c={c} now={now} zone={zone} />
      </p>
    </Tile>
  );
}

export async function ComponentsCard({ clusterId, now, zone }: { clusterId: string; now: number; zone: DisplayZone }) {
  const snap = await clusterComponents(clusterId, now);
  const cs = snap.components;
  const readyz = cs.find((c) => c.probe === 'apiserver-readyz' && c.target === 'endpoint');
  const livez = cs.find((c) => c.probe === 'apiserver-livez' && c.target === 'endpoint');
  const replicasSummary = cs.find((c) => c.probe === 'apiserver-replicas' && (c.target === 'replicas' || c.target === ''));
  const replicas = cs.filter((c) => c.probe === 'apiserver-replicas' && c.target !== 'replicas' && c.target !== '');
  const etcdDirect = cs.find((c) => (c.probe as string) === 'etcd' && c.target === 'etcd');
  const etcdEndpoints = cs.filter((c) => (c.probe as string) === 'etcd' && c.target !== 'etcd');
  const etcdViaApi = cs.filter((c) => c.component === 'etcd' && c.target.startsWith('readyz:'));
  const leases = cs.filter((c) => c.probe === 'leader-election');
  const dnsSummary = cs.find((c) => c.probe === 'dns' && (c.target === 'kube-dns' || c.target === ''));
  const dnsEndpoints = cs.filter((c) => c.probe === 'dns' && c.target !== 'kube-dns' && c.target !== '');
  const nodes = cs.find((c) => c.probe === 'nodes');
  const known = ['kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager'];
  const orderedLeases = [...known.flatMap((k) => leases.filter((l) => l.component === k)), ...leases.filter((l) => !known.includes(l.component))];
  const missingLeases = known.filter((k) => !leases.some((l) => l.component === k));

  const ef = etcdDirect?.facts ?? null;
  const members = Array.isArray(ef?.members) ? (ef.members as Array<Record<string, unknown>>) : null;
  const apiHosts = new Set(replicas.map((r) => r.target.replace(/:\d+$/, '')));
  const memberHosts = (members ?? []).flatMap((m) => (Array.isArray(m.clientURLs) ? (m.clientURLs as unknown[]) : []).map((u) => (typeof u === 'string' ? u.replace(/^[a-z]+:\/\//, '').replace(/:\d+.*$/, '') : '')));
  const topology = members && members.length > 0 && apiHosts.size > 0 ? (memberHosts.every((h) => apiHosts.has(h)) ? 'stacked (members on the control-plane nodes)' : 'external (members apart from the apiservers)') : null;

  const nf = nodes?.facts ?? null;
  const zones = nf && typeof nf.zones === 'object' && nf.zones !== null ? Object.entries(nf.zones as Record<string, number>) : [];

  return (
    <section className="card" aria-labelledby="components-title" data-testid="components-card">
      <h2 id="components-title" className="mt-0">
        Components now
      </h2>
      <p className="muted">Latest sample of each component and replica; older than {Math.round(snap.staleAfterMs / 1000)} s reads unknown.</p>
      <ul className="component-grid" aria-label="Control-plane components">
        <Tile title="API server" component="kube-apiserver" status={worst([readyz, livez, replicasSummary, ...replicas].filter((x): x is ComponentState => !!x))}>
          <p>
            Endpoint (LB) <span className="mono">/readyz</span>: {readyz?.at ? <StatusBadge status={readyz.status} /> : <StatusBadge status={null} />}{' '}
            {readyz?.at ? formatLatency(readyz.latencyMs) : null}
          </p>
          {livez?.at ? (
            <p>
              Endpoint <span className="mono">/livez</span>: <StatusBadge status={livez.status} />
            </p>
          ) : null}
          <p data-testid="replicas-summary">{replicasSummary?.at ? why(replicasSummary, now) : 'replicas not discovered yet'}</p>
          {replicas.length > 0 ? (
            <ul aria-label="apiserver replicas">
              {replicas.map((r) => (
                <li key={r.target} data-replica={r.target}>
                  <span title={r.target}>{componentName(r.probe, r.target)}</span> <StatusBadge status={r.status} /> {formatLatency(r.latencyMs)}
                  {r.status !== 'up' && !r.stale ? <span className="muted"> — {r.reason}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
        </Tile>

        <Tile title="etcd" component="etcd" status={etcdDirect?.at ? etcdDirect.status : worst(etcdViaApi)}>
          {etcdDirect?.at && ef ? (
            <>
              <p data-testid="etcd-members">
                {members ? members.length : '?'} members, {num(ef.healthy) ?? '?'} healthy · majority {num(ef.majority) ?? '?'} · can lose{' '}
                {num(ef.toleranceNow) ?? '?'} more (by design {num(ef.toleranceDesign) ?? '?'})
              </p>
              <p>
                Leader <strong className="mono">{str(ef.leaderName) ?? 'none'}</strong>
                {num(ef.raftTerm) !== null ? ` · raft term ${num(ef.raftTerm)}` : ''}
                {topology ? ` · ${topology}` : ''}
              </p>
              {members && members.length > 0 ? (
                <ul aria-label="etcd members">
                  {members.map((m, i) => (
                    <li key={String(m.id ?? i)}>
                      <span className="mono">{str(m.name) ?? str(m.id) ?? '?'}</span> <StatusBadge status={(str(m.status) as Status | null) ?? null} />
                      {m.healthy ? null : <span className="muted"> — {str(m.reason) ?? ''}</span>}
                    </li>
                  ))}
                </ul>
              ) : null}
              {etcdEndpoints.length > 0 ? <p className="muted">{etcdEndpoints.length} registered endpoint{etcdEndpoints.length === 1 ? '' : 's'} probed directly</p> : null}
              <p className="muted">{etcdDirect.reason}</p>
            </>
          ) : (
            <>
              {etcdViaApi.length > 0 ? (
                <ul aria-label="etcd as the apiserver sees it">
                  {etcdViaApi.map((c) => (
                    <li key={c.target}>
                      <span className="mono">{c.label}</span>: {why(c, now)}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">no readyz sample yet</p>
              )}
              <p data-testid="etcd-members">member count unknown — register etcd endpoints to see members, leader and quorum</p>
            </>
          )}
        </Tile>

        {orderedLeases.map((c) => (
          <LeaseTile key={c.target} c={c} now={now} zone={zone} />
        ))}
        {missingLeases.map((k) => (
          <Tile key={k} title={componentName('leader-election', `kube-system/${k}`)} component={k} status={null}>
            <p className="muted">Lease kube-system/{k} not seen yet</p>
          </Tile>
        ))}

        <Tile title="CoreDNS" component="coredns" status={worst([dnsSummary, ...dnsEndpoints].filter((x): x is ComponentState => !!x))}>
          {dnsSummary?.at && dnsSummary.facts ? (
            <p data-testid="dns-summary">
              {num(dnsSummary.facts.ready) ?? '?'} of {num(dnsSummary.facts.endpoints) ?? '?'} kube-dns endpoints ready, {num(dnsSummary.facts.answering) ?? '?'} answering
            </p>
          ) : null}
          <p className="muted">{dnsSummary?.at ? why(dnsSummary, now) : 'not probed yet'}</p>
          {dnsEndpoints.length > 0 ? (
            <ul aria-label="DNS servers queried">
              {dnsEndpoints.map((d) => (
                <li key={d.target}>
                  <span title={d.target}>{componentName(d.probe, d.target)}</span> <StatusBadge status={d.status} /> {formatLatency(d.latencyMs)}
                </li>
              ))}
            </ul>
          ) : null}
        </Tile>

        <Tile title="Worker nodes" component="nodes" status={nodes?.at ? nodes.status : null}>
          {nf && num(nf.workers) !== null ? (
            <>
              <p data-testid="nodes-summary">
                {num(nf.ready)} of {num(nf.workers)} Ready{num(nf.notReady) ? `, ${num(nf.notReady)} NotReady` : ''}
                {num(nf.unknown) ? `, ${num(nf.unknown)} Unknown` : ''}
              </p>
              <p>
                N+1 headroom: {nf.survivesLargestNodeLoss ? 'survives' : 'does not survive'} losing {str(nf.largestNode) ?? 'the largest node'}
              </p>
              <p>Zones: {zones.length ? zones.map(([z, n]) => `${z} (${n})`).join(', ') : 'none labelled'}</p>
            </>
          ) : null}
          {nodes?.at && nodes.status === 'up' ? null : <p className="muted">{nodes?.at ? why(nodes, now) : 'not probed yet'}</p>}
        </Tile>
      </ul>
      <details>
        <summary>Every sample behind this grid ({cs.length})</summary>
        <DataTable caption="Latest sample of each component and replica" columns={['Component', 'Target', 'Status', 'Reason', 'Latency', 'Sampled']}>
          {cs.map((c) => (
            <tr key={`${c.probe}|${c.target}|${c.component}`} data-row-component={c.component}>
              <th scope="row" title={c.component}>
                {componentStateName(c)}
              </th>
              <td className="mono" title={c.source}>
                {c.label}
              </td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td>{why(c, now)}</td>
              <td>{formatLatency(c.latencyMs)}</td>
              <td>
                <Sampled c={c} now={now} zone={zone} />
              </td>
            </tr>
          ))}
        </DataTable>
      </details>
    </section>
  );
}
