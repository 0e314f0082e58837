import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesComponentOf, toComponents } from '@/lib/data/components';
import type { LastSampleRow } from '@/lib/db';

const row = (id: number, probe: string, target: string, atMs: number, status: LastSampleRow['status'], reason: string, detail: unknown = null): LastSampleRow => ({
  id, clusterId: 'c', probe, target, at: new Date(atMs), status, reason, latencyMs: 1, detail: detail === null ? null : JSON.stringify(detail),
});

test('kubernetesComponentOf names components in Kubernetes terms', () => {
  assert.equal(kubernetesComponentOf('apiserver-readyz', 'endpoint'), 'kube-apiserver');
  assert.equal(kubernetesComponentOf('apiserver-replicas', 'replicas'), 'kube-apiserver');
  assert.equal(kubernetesComponentOf('leader-election', 'kube-system/kube-scheduler'), 'kube-scheduler');
  assert.equal(kubernetesComponentOf('dns', '10.0.0.10:53'), 'coredns');
  assert.equal(kubernetesComponentOf('nodes', 'workers'), 'nodes');
  assert.equal(kubernetesComponentOf('etcd', 'http://10.0.0.1:2379'), 'etcd');
});

test('toComponents: newest row wins (ties by id), leases per Lease, order by component, missing probes unknown', () => {
  const now = 1_000_000;
  const out = toComponents(
    [
      row(1, 'leader-election', 'kube-system/kube-scheduler', now - 2000, 'up', 'held by a'),
      row(2, 'leader-election', 'kube-system/kube-scheduler', now - 1000, 'down', 'no holder'),
      row(3, 'leader-election', 'kube-system/kube-controller-manager', now - 1000, 'up', 'held by b'),
      row(4, 'apiserver-readyz', 'endpoint', now - 1000, 'up', 'ok', { checks: [{ name: 'etcd', ok: true }, { name: 'etcd-readiness', ok: true }, { name: 'ping', ok: true }] }),
      row(5, 'apiserver-readyz', 'endpoint', now - 1000, 'degraded', 'newer id'),
    ],
    now,
    30_000,
    ['apiserver-readyz', 'leader-election', 'dns'],
  );
  assert.deepEqual(out.map((c) => [c.component, c.target, c.status]), [
    ['kube-apiserver', 'endpoint', 'degraded'],
    ['kube-scheduler', 'kube-system/kube-scheduler', 'down'],
    ['kube-controller-manager', 'kube-system/kube-controller-manager', 'up'],
    ['coredns', '', 'unknown'],
  ]);
  const etcd = toComponents([row(4, 'apiserver-readyz', 'endpoint', now - 1000, 'up', 'ok', { checks: [{ name: 'etcd', ok: true }, { name: 'etcd-readiness', ok: false }] })], now, 30_000, []);
  assert.deepEqual(etcd.filter((c) => c.component === 'etcd').map((c) => [c.target, c.status, c.reason]), [
    ['readyz:etcd', 'up', '[+]etcd ok'],
    ['readyz:etcd-readiness', 'down', '[-]etcd-readiness failed'],
  ]);
});
