// Component accuracy against the real lab, with the collector on its real node-cron schedule (5 s):
// etcd quorum loss (outage duration vs the lab's fault timestamps), CoreDNS replicas, an apiserver
// replica behind the LB. The `quorum` identity only; samples read back from a real SQLite file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '..', '..');
const labState = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));
process.env.QUORUM_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'quorum-components-'));
delete process.env.DATABASE_URL;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { registerCluster } = await import('@/lib/clusters/register');
const { listClusters, loadClusterKubeconfig } = await import('@/lib/data/clusters');
const { insertSamples, listSamples } = await import('@/lib/data/samples');
const { getComponents } = await import('@/lib/data/components');
const { insertFailoverEvents, insertWatchGaps, listWatchGaps } = await import('@/lib/data/failovers');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');

const exec = promisify(execFile);
const INTERVAL_S = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lab(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await exec(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'lab', 'cli.ts'), ...args], { cwd: root, timeout: 240_000 });
  const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  assert.ok(last, `lab ${args.join(' ')} printed no JSON line: ${stdout}`);
  return JSON.parse(last) as Record<string, unknown>;
}

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
  clusterId = (await registerCluster({ name: 'lab-components', kubeconfigText: readFileSync(path.join(labState, 'quorum.kubeconfig'), 'utf8') })).id;
  collector = createCollector(
    { intervalSeconds: INTERVAL_S, probeTimeoutMs: 4500, concurrency: 4, bufferLimit: 10_000 },
    {
      listClusters,
      loadKubeconfig: loadClusterKubeconfig,
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
  await lab('fault', 'kill', 'etcd', '--node', '2', '--no-restart');
  await sleep(2 * INTERVAL_S * 1000);
  const one = await until('apiserver-readyz', 'endpoint', () => true, 10_000);
  assert.equal(one.status, 'up', `one etcd member down: ${one.reason}`);
  let killAt = 0;
  let restoreAt = 0;
  try {
    killAt = Date.parse(String((await lab('fault', 'kill', 'etcd', '--node', '3', '--no-restart')).at));
    const down = await until('apiserver-readyz', 'endpoint', (s) => s.status === 'down', 60_000, killAt);
    assert.match(down.reason, /etcd/);
    const comp = await getComponents(clusterId);
    assert.equal(comp.components.find((c) => c.component === 'etcd' && c.target === 'readyz:etcd')?.status, 'down');
    await sleep(30_000 - (Date.now() - killAt));
  } finally {
    restoreAt = Date.parse(String((await lab('fault', 'start', 'etcd', '--node', '3')).at));
    await lab('fault', 'start', 'etcd', '--node', '2');
  }
  const up = await until('apiserver-readyz', 'endpoint', (s) => s.status === 'up' && Date.parse(s.at) > restoreAt, 120_000, restoreAt);
  const rows = await samples('apiserver-readyz', 'endpoint', killAt - INTERVAL_S * 1000);
  const firstDown = rows.find((s) => s.status === 'down' && Date.parse(s.at) >= killAt - INTERVAL_S * 1000)!;
  const outageStart = Date.parse(firstDown.at);
  const outageEnd = Date.parse(up.at);
  const truth = restoreAt - killAt;
  const measured = outageEnd - outageStart;
  console.log(`[etcd] quorum lost ${new Date(killAt).toISOString()} → restored ${new Date(restoreAt).toISOString()} (${truth} ms); Quorum measured ${firstDown.at} → ${up.at} (${measured} ms); start off by ${outageStart - killAt} ms, end off by ${outageEnd - restoreAt} ms`);
  assert.ok(Math.abs(outageStart - killAt) <= INTERVAL_S * 1000, `outage start ${outageStart - killAt} ms after the kill`);
  assert.ok(Math.abs(measured - truth) <= INTERVAL_S * 1000, `outage ${measured} ms vs ${truth} ms between the lab's fault times`);
  // Nothing in between was reported up.
  assert.ok(rows.filter((s) => Date.parse(s.at) >= outageStart && Date.parse(s.at) < outageEnd).every((s) => s.status !== 'up'));
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
  const le = await until('leader-election', 'kube-system/kube-scheduler', (s) => s.status === 'up' && Date.parse(s.at) > Date.parse(g.endedAt), 30_000, killedAt);
  assert.match(le.reason, /^held by /);
});
