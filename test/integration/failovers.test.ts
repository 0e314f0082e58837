// Failover events, watch gaps, Lease seeds and the components view against real databases:
// a SQLite file and a real PostgreSQL (QUORUM_TEST_PG_URL), each in its own folder / schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster, getCluster, removeCluster, updateClusterSettings } from '@/lib/data/clusters';
import { QuorumError } from '@/lib/errors';
import { getComponents } from '@/lib/data/components';
import { insertFailoverEvents, insertWatchGaps, listFailovers, listWatchGaps, loadLeaseSeeds } from '@/lib/data/failovers';
import { insertSamples } from '@/lib/data/samples';
import type { FailoverEvent } from '@/lib/failover/reducer';


const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

function crash(at: string, prevRenew: string, n: number): FailoverEvent {
  return {
    lease: 'kube-system/kube-scheduler',
    kind: 'crash',
    previousHolder: `cp${n}_a`,
    newHolder: `cp${n + 1}_b`,
    previousRenewTime: prevRenew,
    newAcquireTime: at,
    gapMs: (Date.parse(at) - Date.parse(prevRenew)) + (Number(at.slice(23, 26)) - Number(prevRenew.slice(23, 26))) / 1000,
    leaseDurationSeconds: 8,
    leaseTransitions: n,
    observedAt: Date.parse(at) + 5,
  };
}

function providerSuite(provider: Provider): void {
  let clusterId = '';

  useProviderDb(provider, 'quorum_fo', async () => {
    clusterId = (await createCluster({ name: 'fo', server: 'https://127.0.0.1:6443', context: 'x', labels: {}, kubeconfigYaml: KUBECONFIG })).id;
  });

  test('failover events: stored once however often they are replayed, listed by takeover time with µs gaps intact', async () => {
    const a = crash('2026-11-26T10:00:09.500123Z', '2026-11-26T10:00:00.250001Z', 1);
    const b = crash('2026-11-26T11:00:10.000001Z', '2026-11-26T11:00:00.999999Z', 2);
    const unobserved: FailoverEvent = { ...b, kind: 'unobserved', newHolder: 'cp1_c', previousRenewTime: null, gapMs: null, newAcquireTime: '2026-11-26T12:00:00.000000Z', leaseTransitions: 3 };
    assert.equal(await insertFailoverEvents(clusterId, [a, b]), 2);
    assert.equal(await insertFailoverEvents(clusterId, [a, b, unobserved]), 1, 'a replay writes only the new one');
    const all = await listFailovers({ clusterId, since: new Date('2026-11-26T00:00:00Z') });
    assert.deepEqual(all.map((e) => [e.kind, e.newHolder, e.at, e.gapMs]), [
      ['crash', 'cp2_b', '2026-11-26T10:00:09.500Z', 9250.122],
      ['crash', 'cp3_b', '2026-11-26T11:00:10.000Z', 9000.002],
      ['unobserved', 'cp1_c', '2026-11-26T12:00:00.000Z', null],
    ]);
    assert.equal(all[0]!.previousRenewTime, '2026-11-26T10:00:00.250001Z');
    assert.equal(all[0]!.component, 'kube-scheduler');
    const window = await listFailovers({ clusterId, since: new Date('2026-11-26T10:30:00Z'), until: new Date('2026-11-26T12:00:00Z') });
    assert.deepEqual(window.map((e) => e.newHolder), ['cp3_b'], 'since inclusive, until exclusive');
    assert.deepEqual(await listFailovers({ clusterId, since: new Date('2026-11-26T00:00:00Z'), lease: 'kube-system/kube-controller-manager' }), []);
    await assert.rejects(insertFailoverEvents(clusterId, [{ ...a, kind: 'guess' as never }]), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input');
    await assert.rejects(listFailovers({ clusterId, since: new Date('nope') }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input' && /since/.test(e.message));
  });

  test('watch gaps: idempotent, listed when they overlap the window', async () => {
    const g = { namespace: 'kube-system', startedAt: Date.parse('2026-11-26T13:00:00Z'), endedAt: Date.parse('2026-11-26T13:02:30Z'), reason: 'connect ECONNREFUSED' };
    assert.equal(await insertWatchGaps(clusterId, [g, g]), 1);
    const gaps = await listWatchGaps({ clusterId, since: new Date('2026-11-26T13:01:00Z'), until: new Date('2026-11-26T14:00:00Z') });
    assert.deepEqual(gaps, [{ namespace: 'kube-system', startedAt: '2026-11-26T13:00:00.000Z', endedAt: '2026-11-26T13:02:30.000Z', durationMs: 150_000, reason: 'connect ECONNREFUSED' }]);
    assert.deepEqual(await listWatchGaps({ clusterId, since: new Date('2026-11-26T13:03:00Z') }), []);
    await assert.rejects(insertWatchGaps(clusterId, [{ ...g, endedAt: g.startedAt - 1 }]), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input');
  });

  test('lease seeds come from the latest leader-election samples that knew the holder', async () => {
    const now = Date.parse('2026-11-26T15:00:00Z');
    const le = (at: number, lease: string, holder: string | null, watchDown = false, transitions = 4) => ({
      probe: 'leader-election' as const,
      target: lease,
      status: watchDown ? ('unknown' as const) : ('up' as const),
      reason: 'x',
      latencyMs: null,
      at,
      detail: { facts: { lease, holder, renewAgeMs: 100, leaseDurationSeconds: 8, leaseTransitions: transitions, watchDown, seen: true } },
    });
    await insertSamples(clusterId, [
      le(now - 60_000, 'kube-system/kube-scheduler', 'old'),
      le(now - 30_000, 'kube-system/kube-scheduler', 'cp2_x', false, 7),
      le(now - 10_000, 'kube-system/kube-scheduler', null, true),
      le(now - 20_000, 'kube-system/kube-controller-manager', 'cp3_y'),
    ]);
    const seeds = (await loadLeaseSeeds(clusterId, { now })).sort((x, y) => x.lease.localeCompare(y.lease));
    assert.deepEqual(seeds, [
      { lease: 'kube-system/kube-controller-manager', holder: 'cp3_y', leaseTransitions: 4, leaseDurationSeconds: 8, observedAt: now - 20_000 },
      { lease: 'kube-system/kube-scheduler', holder: 'cp2_x', leaseTransitions: 7, leaseDurationSeconds: 8, observedAt: now - 30_000 },
    ]);
  });

  test('components: latest sample per target, etcd from the readyz checks, stale reads unknown', async () => {
    const now = Date.parse('2026-11-26T16:00:00Z');
    await insertSamples(clusterId, [
      { probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 5, at: now - 20_000, detail: { checks: [{ name: 'etcd', ok: true }] } },
      { probe: 'apiserver-readyz', target: 'endpoint', status: 'down', reason: 'readyz failed: etcd', latencyMs: 9, at: now - 5_000, detail: { checks: [{ name: 'etcd', ok: false, message: 'reason withheld' }, { name: 'ping', ok: true }] } },
      { probe: 'dns', target: 'kube-dns', status: 'degraded', reason: '1 of 2', latencyMs: 3, at: now - 5_000 },
      { probe: 'nodes', target: 'workers', status: 'up', reason: 'ok', latencyMs: 3, at: now - 600_000 },
    ]);
    const snap = await getComponents(clusterId, { now: new Date(now) });
    const by = (component: string, target?: string) => snap.components.find((c) => c.component === component && (target === undefined || c.target === target));
    assert.equal(by('kube-apiserver', 'endpoint')?.status, 'down');
    assert.equal(by('etcd', 'readyz:etcd')?.status, 'down');
    assert.equal(by('etcd', 'readyz:etcd')?.reason, '[-]etcd failed: reason withheld');
    assert.equal(by('coredns', 'kube-dns')?.status, 'degraded');
    assert.equal(by('nodes')?.status, 'unknown', 'a 10-minute-old sample is stale');
    assert.match(by('nodes')?.reason ?? '', /no sample since 2026-11-26T15:50:00.000Z/);
    const missing = snap.components.filter((c) => c.at === null).map((c) => [c.probe, c.status, c.reason]);
    assert.deepEqual(missing, [['apiserver-livez', 'unknown', 'no sample yet'], ['apiserver-replicas', 'unknown', 'no sample yet']], 'probes with no sample are listed as unknown');
  });

  test('cluster settings: stored validated, patched field by field, bad input refused', async () => {
    assert.deepEqual((await getCluster('fo'))?.settings, { leases: [], dnsServers: [] });
    const a = await updateClusterSettings('fo', { leases: ['default/op', 'default/op'], dnsServers: '10.0.0.10' });
    assert.deepEqual(a?.settings, { leases: ['default/op'], dnsServers: ['10.0.0.10:53'] });
    const b = await updateClusterSettings(clusterId, { dnsServers: [] });
    assert.deepEqual(b?.settings, { leases: ['default/op'], dnsServers: [] }, 'leases kept when only DNS servers change');
    assert.ok(Date.parse(b!.updatedAt) >= Date.parse(a!.updatedAt), 'updatedAt moves so the collector picks it up');
    await assert.rejects(updateClusterSettings('fo', { leases: ['nope'] }), (e: unknown) => e instanceof QuorumError && e.errorClass === 'invalid-input');
    assert.equal(await updateClusterSettings('no-such-cluster', { leases: [] }), null);
    const c = await createCluster({ name: 'fo-settings', server: 'https://127.0.0.1:6443', context: 'x', labels: {}, settings: { leases: ['a/b'] }, kubeconfigYaml: KUBECONFIG });
    assert.deepEqual(c.settings, { leases: ['a/b'], dnsServers: [] });
    assert.equal(await removeCluster('fo-settings'), true);
  });

  test('removing the cluster removes its events; events for a removed cluster are discarded, not an error', async () => {
    assert.equal(await removeCluster('fo'), true);
    assert.deepEqual(await listFailovers({ clusterId, since: new Date(0) }), []);
    assert.equal(await insertFailoverEvents(clusterId, [crash('2026-11-26T17:00:09.000000Z', '2026-11-26T17:00:00.000000Z', 9)]), 0);
  });
}

forEachProvider('failovers, watch gaps, seeds, components, settings', providerSuite);
