// Component accuracy against the real lab, with the collector on its real node-cron schedule (5 s):
// etcd quorum loss (outage duration vs the lab's fault timestamps), CoreDNS replicas, an apiserver
// replica behind the LB. The `quorum` identity only; samples read back from a real SQLite file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lab } from '../support/lab-cli';

const root = path.resolve(import.meta.dirname, '..', '..');
const labState = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));
process.env.QUORUM_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'quorum-components-'));
// The lab's load balancer is 127.0.0.1:16443 (and this suite's own peers are on loopback): loopback
// targets are refused unless allowed explicitly (lib/net/outbound.ts, README "Security").
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
delete process.env.DATABASE_URL;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { registerCluster } = await import('@/lib/clusters/register');
const { listClusters, loadClusterCredentials, loadClusterKubeconfig, updateClusterSettings } = await import('@/lib/data/clusters');
const { insertSamples, listSamples } = await import('@/lib/data/samples');
const { getComponents } = await import('@/lib/data/components');
const { getEtcdHistory } = await import('@/lib/data/etcd');
const { insertFailoverEvents, insertWatchGaps, listFailovers, listWatchGaps } = await import('@/lib/data/failovers');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');

const INTERVAL_S = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


let clusterId = '';
let collector: ReturnType<typeof createCollector>;

type Row = Awaited<ReturnType<typeof listSamples>>[number];

async function samples(probe: string, target: string, sinceMs: number): Promise<Row[]> {
  return (await listSamples({ clusterId, probe, since: new Date(sinceMs) })).filter((s) => s.target === target);
}

/** Waits (the collector runs on its own schedule) until the latest sample of probe/target satisfies pred. */
async function until(probe: string, target: string, pred: (s: Row) => boolean, deadlineMs: number, sinceMs = Date.now()): Promise<Row> {
  const end = Date.now() + deadlineMs;
  let last: Row | undefined;
  while (Date.now() < end) {
    last = (await samples(probe, target, sinceMs)).at(-1);
    if (last && pred(last)) return last;
    await sleep(1000);
  }
  assert.fail(`${probe}/${target}: condition not met in ${deadlineMs} ms; last: ${JSON.stringify(last)}`);
}

before(async () => {
  await lab('up', '--profile', 'ha');
  await migrate({ quiet: true });
  // etcd registered too (plain HTTP in the lab), so the direct etcd probe runs beside the apiserver's view.
  clusterId = (
    await registerCluster({
      name: 'lab-components',
      kubeconfigText: readFileSync(path.join(labState, 'quorum.kubeconfig'), 'utf8'),
      etcd: { endpoints: [11, 12, 13].map((n) => `http://10.213.0.${n}:2379`) },
    })
  ).id;
  collector = createCollector(
    { intervalSeconds: INTERVAL_S, probeTimeoutMs: 4500, concurrency: 4, bufferLimit: 10_000 },
    {
      listClusters,
      loadKubeconfig: loadClusterKubeconfig,
      loadCredentials: loadClusterCredentials,
      insertSamples,
      probes: ALL_PROBES,
      now: Date.now,
      log: () => undefined,
      failovers: { insertFailovers: insertFailoverEvents, insertWatchGaps },
    },
  );
  collector.start();
  await until('apiserver-readyz', 'endpoint', (s) => s.status === 'up', 60_000, 0);
});

after(async () => {
  await collector?.stop();
  await closeDb();
});

test('etcd: one member down keeps the cluster up; two down → down with the etcd check named, outage matching the lab\'s fault times', { timeout: 300_000 }, async () => {
  const tolerance = (s: Row): unknown => (s.detail?.facts as { toleranceNow?: unknown } | undefined)?.toleranceNow;
  const before = await until('etcd', 'etcd', (s) => s.status === 'up', 30_000, 0);
  assert.equal(tolerance(before), 1, before.reason);
  const k1 = await lab('fault', 'kill', 'etcd', '--node', '2', '--no-restart');
  const t0 = await until('etcd', 'etcd', (s) => tolerance(s) === 0, 30_000, Date.parse(String(k1.at)));
  assert.match(t0.reason, /2\/3 healthy/);
  assert.match(t0.reason, /not healthy: qlab-cp2|not healthy: .*10\.213\.0\.12/);
  await sleep(INTERVAL_S * 1000);
  const one = await until('apiserver-readyz', 'endpoint', () => true, 10_000);
  assert.equal(one.status, 'up', `one etcd member down: ${one.reason}`);
  const comp1 = await getComponents(clusterId);
  assert.equal(comp1.components.find((c) => c.component === 'etcd' && c.probe === 'etcd' && c.target === 'etcd')?.facts?.toleranceNow, 0, 'tolerance 0 shown');
  let killAt = 0;
  let restoreAt = 0;
  try {
    killAt = Date.parse(String((await lab('fault', 'kill', 'etcd', '--node', '3', '--no-restart')).at));
    const down = await until('apiserver-readyz', 'endpoint', (s) => s.status === 'down', 60_000, killAt);
    assert.match(down.reason, /etcd/);
    const lost = await until('etcd', 'etcd', (s) => s.status === 'down', 30_000, killAt);
    assert.match(lost.reason, /quorum lost: [01]\/3 healthy, 2 needed/); // the survivor itself reports unhealthy (no leader)
    const comp = await getComponents(clusterId);
    assert.equal(comp.components.find((c) => c.component === 'etcd' && c.target === 'readyz:etcd')?.status, 'down');
    await sleep(30_000 - (Date.now() - killAt));
  } finally {
    restoreAt = Date.parse(String((await lab('fault', 'start', 'etcd', '--node', '3')).at));
    await lab('fault', 'start', 'etcd', '--node', '2');
  }
  const up = await until('apiserver-readyz', 'endpoint', (s) => s.status === 'up' && Date.parse(s.at) > restoreAt, 120_000, restoreAt);
  const healed = await until('etcd', 'etcd', (s) => s.status === 'up' && tolerance(s) === 1, 60_000, restoreAt);
  assert.match(healed.reason, /3\/3 healthy; tolerates 1 failure/);
  const rows = await samples('apiserver-readyz', 'endpoint', killAt - INTERVAL_S * 1000);
  const firstDown = rows.find((s) => s.status === 'down' && Date.parse(s.at) >= killAt - INTERVAL_S * 1000)!;
  const outageStart = Date.parse(firstDown.at);
  // The first up sample after the outage began (the poll above may have returned a later one).
  const firstUp = rows.find((s) => s.status === 'up' && Date.parse(s.at) > outageStart)!;
  assert.ok(Date.parse(firstUp.at) <= Date.parse(up.at));
  const outageEnd = Date.parse(firstUp.at);
  // A sample is stamped with its probe's START; the first ready answer may have been waiting on the
  // apiserver's etcd check while quorum came back, so the end is exact to one interval plus that probe's latency.
  const endSlackMs = INTERVAL_S * 1000 + (firstUp.latencyMs ?? 4500);
  assert.ok(outageEnd + (firstUp.latencyMs ?? 4500) >= restoreAt, `readyz was up at ${firstUp.at} (+${firstUp.latencyMs} ms), before quorum came back at ${new Date(restoreAt).toISOString()}`);
  const truth = restoreAt - killAt;
  const measured = outageEnd - outageStart;
  console.log(`[etcd] quorum lost ${new Date(killAt).toISOString()} → restored ${new Date(restoreAt).toISOString()} (${truth} ms); Quorum measured ${firstDown.at} → ${firstUp.at} (${measured} ms); start off by ${outageStart - killAt} ms, end off by ${outageEnd - restoreAt} ms (first ready answer took ${firstUp.latencyMs} ms)`);
  assert.ok(Math.abs(outageStart - killAt) <= INTERVAL_S * 1000, `outage start ${outageStart - killAt} ms after the kill`);
  assert.ok(Math.abs(measured - truth) <= endSlackMs, `outage ${measured} ms vs ${truth} ms between the lab's fault times (allowed ±${endSlackMs} ms)`);
  // The direct etcd probe saw the leaderless time (the survivor answered "no leader").
  const hist = await getEtcdHistory({ clusterId, since: new Date(killAt - 60_000), until: new Date(Date.parse(healed.at) + 1) });
  console.log(`[etcd] leaderless ${hist.leaderlessMs} ms in ${hist.leaderless.length} interval(s): ${JSON.stringify(hist.leaderless)}`);
  assert.ok(Math.abs(hist.leaderlessMs - truth) <= 2 * INTERVAL_S * 1000, `leaderless ${hist.leaderlessMs} ms vs ${truth} ms without quorum`);
});

test('CoreDNS: one replica killed → DNS degraded naming it; both → DNS down; restored → up', { timeout: 240_000 }, async () => {
  await until('dns', 'kube-dns', (s) => s.status === 'up', 60_000, 0);
  const a = await lab('fault', 'kill', 'coredns', '--node', '1', '--no-restart');
  try {
    const deg = await until('dns', 'kube-dns', (s) => s.status === 'degraded', 30_000, Date.parse(String(a.at)));
    assert.match(deg.reason, /^1 of 2 CoreDNS endpoints resolve/);
    assert.match(deg.reason, /10\.213\.0\.11:53/);
    const b = await lab('fault', 'kill', 'coredns', '--node', '2', '--no-restart');
    const down = await until('dns', 'kube-dns', (s) => s.status === 'down', 30_000, Date.parse(String(b.at)));
    assert.match(down.reason, /^0 of 2 CoreDNS endpoints resolve/);
  } finally {
    await lab('fault', 'start', 'coredns', '--node', '1');
    await lab('fault', 'start', 'coredns', '--node', '2');
  }
  await until('dns', 'kube-dns', (s) => s.status === 'up', 60_000);
});

test('an apiserver replica killed behind the LB → replicas degraded with that replica named; the endpoint stays up', { timeout: 240_000 }, async () => {
  await until('apiserver-replicas', 'replicas', (s) => s.status === 'up', 60_000, 0);
  const k = await lab('fault', 'kill', 'kube-apiserver', '--node', '3', '--no-restart');
  try {
    const deg = await until('apiserver-replicas', 'replicas', (s) => s.status === 'degraded', 40_000, Date.parse(String(k.at)));
    assert.match(deg.reason, /^2 of 3 replicas ready; not ready: 10\.213\.0\.13:\d+ /);
    const ep = await until('apiserver-readyz', 'endpoint', () => true, 10_000, Date.parse(deg.at));
    assert.equal(ep.status, 'up', 'the LB still serves');
    const comp = await getComponents(clusterId);
    assert.equal(comp.components.find((c) => c.probe === 'apiserver-replicas' && c.target === 'replicas')?.status, 'degraded');
  } finally {
    await lab('fault', 'start', 'kube-apiserver', '--node', '3');
  }
  await until('apiserver-replicas', 'replicas', (s) => s.status === 'up', 90_000);
});

test('the LB killed under the Lease watch: the watch outage is recorded as a gap and the watch resumes', { timeout: 120_000 }, async () => {
  await until('leader-election', 'kube-system/kube-scheduler', (s) => s.status === 'up', 60_000, 0);
  const k = await lab('fault', 'kill', 'haproxy');
  const killedAt = Date.parse(String(k.at));
  // The supervisor restarts haproxy ~2 s later; the watch reconnects and closes the gap.
  const end = Date.now() + 60_000;
  let gaps: Awaited<ReturnType<typeof listWatchGaps>> = [];
  while (Date.now() < end) {
    gaps = (await listWatchGaps({ clusterId, since: new Date(killedAt - 1000) })).filter((g) => Date.parse(g.endedAt) >= killedAt);
    if (gaps.length > 0) break;
    await sleep(1000);
  }
  assert.ok(gaps.length > 0, 'no Lease-watch gap recorded after the LB was killed');
  const g = gaps[0]!;
  assert.ok(Date.parse(g.startedAt) >= killedAt - 1000, `gap starts at ${g.startedAt}, LB killed at ${k.at}`);
  assert.ok(g.durationMs > 0 && g.durationMs < 60_000, JSON.stringify(g));
  assert.ok(g.reason.length > 0);
  console.log(`[watch] LB killed at ${String(k.at)}; watch gap ${g.startedAt} → ${g.endedAt} (${g.durationMs} ms): ${g.reason}`);
  // Rows are runs (issue 16): the holder did not change, so the run goes on — its LAST sample is after the gap.
  const le = await until('leader-election', 'kube-system/kube-scheduler', (s) => s.status === 'up' && Date.parse(s.lastAt) > Date.parse(g.endedAt), 30_000, killedAt);
  assert.match(le.reason, /^held by /);
});

/** kubectl as the lab's admin (only to play an operator's leader election; Quorum itself reads as `quorum`). */
async function adminKubectl(args: string[], input?: string): Promise<string> {
  const kubectl = path.join(root, 'lab', '.bin', 'kubectl');
  return new Promise((resolve, reject) => {
    const p = execFile(kubectl, ['--kubeconfig', path.join(labState, 'admin.kubeconfig'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    if (input !== undefined) p.stdin!.end(input);
  });
}

const micro = (ms: number, extraMicros = 0): string => `${new Date(ms).toISOString().slice(0, 19)}.${String((ms % 1000) * 1000 + extraMicros).padStart(6, '0')}Z`;

test('user-added Leases and DNS servers: a Lease in another namespace is watched and its takeover measured; one without RBAC reads unknown (403); a given DNS server is queried', { timeout: 180_000 }, async () => {
  const ref = 'default/quorum-test-operator';
  const t1 = Date.now() - 2000;
  const lease = (holder: string, acquire: string, renew: string) =>
    JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'quorum-test-operator', namespace: 'default' }, spec: { holderIdentity: holder, leaseDurationSeconds: 3600, acquireTime: acquire, renewTime: renew, leaseTransitions: 0 } });
  await adminKubectl(['apply', '-f', '-'], lease('op-a', micro(t1, 111), micro(t1, 111)));
  try {
    const c = await updateClusterSettings(clusterId, { leases: [ref, 'kube-public/not-allowed'], dnsServers: ['10.213.0.12:53'] });
    assert.deepEqual(c?.settings, { leases: [ref, 'kube-public/not-allowed'], dnsServers: ['10.213.0.12:53'] });
    const since = Date.now();
    const held = await until('leader-election', ref, (s) => s.status === 'up', 40_000, since);
    assert.match(held.reason, /^held by op-a/);
    const denied = await until('leader-election', 'kube-public/not-allowed', (s) => s.status === 'unknown', 20_000, since);
    assert.match(denied.reason, /lease watch is down.*403/);
    const dns = await until('dns', 'server:10.213.0.12:53', (s) => s.status === 'up', 20_000, since);
    assert.match(dns.reason, /kubernetes\.default\.svc\.cluster\.local/);

    // The operator's leader renews, then another replica takes over: a crash failover, gap exact to the µs.
    const renew = Date.now();
    await adminKubectl(['apply', '-f', '-'], lease('op-a', micro(t1, 111), micro(renew, 250)));
    await sleep(1500);
    const acquire = renew + 9123;
    await adminKubectl(['apply', '-f', '-'], lease('op-b', micro(acquire, 706), micro(acquire, 706)));
    const end = Date.now() + 20_000;
    let events: Awaited<ReturnType<typeof listFailovers>> = [];
    while (Date.now() < end && events.length === 0) {
      await sleep(500);
      events = await listFailovers({ clusterId, since: new Date(since - 60_000), until: new Date(acquire + 60_000), lease: ref });
    }
    assert.equal(events.length, 1, JSON.stringify(events));
    const e = events[0]!;
    assert.equal(e.kind, 'crash');
    assert.equal(e.previousHolder, 'op-a');
    assert.equal(e.newHolder, 'op-b');
    assert.equal(e.component, 'quorum-test-operator');
    assert.equal(e.gapMs, 9123 + (706 - 250) / 1000);
  } finally {
    await updateClusterSettings(clusterId, { leases: [], dnsServers: [] });
    await adminKubectl(['delete', 'lease', '-n', 'default', 'quorum-test-operator', '--ignore-not-found']);
  }
});

test('etcd leader killed → a leader change recorded from the direct etcd probe', { timeout: 120_000 }, async () => {
  const before = await until('etcd', 'etcd', (s) => s.status === 'up' && typeof (s.detail?.facts as { leaderName?: unknown })?.leaderName === 'string', 30_000, 0);
  const oldLeader = (before.detail!.facts as { leaderName: string }).leaderName;
  const k = await lab('fault', 'kill', 'etcd', '--leader');
  const after = await until('etcd', 'etcd', (s) => { const l = (s.detail?.facts as { leaderName?: unknown })?.leaderName; return typeof l === 'string' && l !== oldLeader; }, 60_000, Date.parse(String(k.at)));
  const newLeader = (after.detail!.facts as { leaderName: string }).leaderName;
  const hist = await getEtcdHistory({ clusterId, since: new Date(Date.parse(String(k.at)) - 30_000), until: new Date(Date.parse(after.at) + 1) });
  const change = hist.changes.find((c) => c.to === newLeader);
  assert.ok(change, JSON.stringify(hist));
  assert.equal(change.from, oldLeader);
  console.log(`[etcd] leader ${oldLeader} killed at ${String(k.at)}; change to ${newLeader} seen at ${change.at} (term ${change.raftTerm})`);
  await until('etcd', 'etcd', (s) => s.status === 'up' && (s.detail?.facts as { toleranceNow?: unknown })?.toleranceNow === 1, 60_000, Date.parse(after.at));
});
