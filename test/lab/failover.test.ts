// Failover accuracy against the real lab. An independent observer (`kubectl get lease -w -o json`,
// quorum identity) records every Lease update while the lab kills the kube-scheduler and
// kube-controller-manager leaders several times at random moments of their renew cycle and stops the
// scheduler leader gracefully. Every takeover kubectl saw must be in Quorum's database, classified,
// with gapMs equal to kubectl's (old holder's last renewTime → new acquireTime) within 10 ms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Observer, WATCHED, liveHolder, micros, newHolderAfter, quorumKubeconfig, takeovers, type Component } from '../support/lease-observer';
import { lab } from '../support/lab-cli';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-failover-'));
process.env.QUORUM_DATA_DIR = dataDir;
// The lab's load balancer is 127.0.0.1:16443 (and this suite's own peers are on loopback): loopback
// targets are refused unless allowed explicitly (lib/net/outbound.ts, README "Security").
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1';
delete process.env.DATABASE_URL;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { registerCluster } = await import('@/lib/clusters/register');
const { listClusters, loadClusterCredentials, loadClusterKubeconfig } = await import('@/lib/data/clusters');
const { insertSamples } = await import('@/lib/data/samples');
const { insertFailoverEvents, insertWatchGaps, listFailovers, loadLeaseSeeds } = await import('@/lib/data/failovers');
const { createCollector } = await import('@/lib/collector/collector');
const { ALL_PROBES } = await import('@/lib/probes');


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newCollector(): ReturnType<typeof createCollector> {
  return createCollector(
    { intervalSeconds: 5, probeTimeoutMs: 5000, concurrency: 4, bufferLimit: 10_000 },
    {
      listClusters,
      loadKubeconfig: loadClusterKubeconfig,
      loadCredentials: loadClusterCredentials,
      insertSamples,
      probes: ALL_PROBES,
      now: Date.now,
      log: (l) => logs.push(l),
      failovers: { insertFailovers: insertFailoverEvents, insertWatchGaps, loadSeeds: (id) => loadLeaseSeeds(id) },
    },
  );
}

let observer: Observer;
let collector: ReturnType<typeof createCollector>;
let clusterId = '';
const logs: Array<Record<string, unknown>> = [];

before(async () => {
  await lab('up', '--profile', 'ha');
  assert.ok(existsSync(quorumKubeconfig), `${quorumKubeconfig} missing`);
  await migrate({ quiet: true });
  clusterId = (await registerCluster({ name: 'lab-failover', kubeconfigText: readFileSync(quorumKubeconfig, 'utf8') })).id;
  observer = new Observer();
  collector = newCollector();
  collector.start();
  await collector.runOnce(); // starts the Lease watch
});

after(async () => {
  observer?.stop();
  await collector?.stop();
  await closeDb();
});

test('every leader kill is recorded as a crash failover with kubectl\'s gap (±10 ms); a graceful stop is graceful', { timeout: 600_000 }, async () => {
  const started = new Date();
  const faults: Array<{ component: Component; action: string; at: string }> = [];
  const rounds: Component[] = ['kube-scheduler', 'kube-controller-manager', 'kube-scheduler', 'kube-controller-manager', 'kube-scheduler', 'kube-controller-manager'];
  for (const component of rounds) {
    const holder = await liveHolder(observer, component);
    await sleep(Math.floor(Math.random() * 6000)); // a random moment of the 6 s renew cycle
    const f = await lab('fault', 'kill', component, '--leader');
    assert.equal(f.action, 'kill');
    faults.push({ component, action: 'kill', at: String(f.at) });
    await newHolderAfter(observer, component, holder);
  }
  // Graceful: SIGTERM makes kube-scheduler release its Lease (empty holder) before exiting.
  const holder = await liveHolder(observer, 'kube-scheduler');
  const g = await lab('fault', 'stop', 'kube-scheduler', '--leader');
  faults.push({ component: 'kube-scheduler', action: 'stop', at: String(g.at) });
  await newHolderAfter(observer, 'kube-scheduler', holder);
  await liveHolder(observer, 'kube-scheduler');
  await sleep(1500);
  await collector.flushEvents();

  const recorded = await listFailovers({ clusterId, since: new Date(started.getTime() - 60_000) });
  for (const component of WATCHED) {
    const expected = takeovers(observer.of(component)).filter((e) => micros(e.newAcquireTime) / 1000 >= started.getTime());
    const kills = faults.filter((f) => f.component === component).length;
    assert.ok(expected.length >= kills, `${component}: kubectl saw ${expected.length} takeovers for ${kills} faults`);
    const mine = recorded.filter((r) => r.lease === `kube-system/${component}`);
    for (const e of expected) {
      const r = mine.find((x) => x.newHolder === e.newHolder && x.newAcquireTime === e.newAcquireTime);
      assert.ok(r, `${component}: takeover ${e.previousHolder} → ${e.newHolder} at ${e.newAcquireTime} not recorded; recorded: ${JSON.stringify(mine.map((x) => [x.newHolder, x.newAcquireTime]))}`);
      assert.equal(r.previousHolder, e.previousHolder);
      assert.notEqual(r.gapMs, null, `${component}: gap missing for ${e.newHolder}`);
      assert.ok(Math.abs(r.gapMs! - e.gapMs) <= 10, `${component}: gap ${r.gapMs} ms vs kubectl ${e.gapMs} ms`);
      assert.equal(r.kind, e.released ? 'graceful' : 'crash', `${component}: kind for ${e.newHolder}`);
      if (r.kind === 'crash') assert.ok(r.gapMs! >= (r.leaseDurationSeconds ?? 8) * 1000, `a crash takeover waits for the lease to expire: ${r.gapMs} ms`);
    }
    assert.equal(mine.filter((x) => Date.parse(x.at) >= started.getTime()).length, expected.length, `${component}: no extra events`);
    const gaps = expected.map((e) => e.gapMs.toFixed(1));
    console.log(`[failover] ${component}: ${expected.length} takeovers, gaps ms (kubectl): ${gaps.join(', ')}`);
  }
  const graceful = recorded.filter((r) => r.kind === 'graceful');
  assert.ok(graceful.length >= 1, `the SIGTERM of the scheduler leader is graceful: ${JSON.stringify(recorded.map((r) => [r.lease, r.kind, r.gapMs]))}`);
  assert.ok(graceful.every((r) => r.lease === 'kube-system/kube-scheduler'));
  assert.equal(logs.filter((l) => l.event === 'enqueue-flush-failed').length, 0, 'the database accepted every event at once');
});

test('a takeover while the collector was not running is recorded as unobserved (no gap), with the watch gap', { timeout: 300_000 }, async () => {
  await collector.runOnce(); // a leader-election sample with the current holders, as the seed for the next run
  await collector.stop();
  const stoppedAt = Date.now();
  const holder = await liveHolder(observer, 'kube-scheduler');
  await lab('fault', 'kill', 'kube-scheduler', '--leader');
  const next = await newHolderAfter(observer, 'kube-scheduler', holder);
  const { listWatchGaps } = await import('@/lib/data/failovers');
  collector = newCollector();
  await collector.runOnce();
  await sleep(1000);
  await collector.flushEvents();
  const events = await listFailovers({ clusterId, since: new Date(stoppedAt - 60_000), lease: 'kube-system/kube-scheduler' });
  const e = events.find((x) => x.newHolder === next);
  assert.ok(e, `takeover by ${next} while stopped not recorded: ${JSON.stringify(events.map((x) => [x.kind, x.newHolder]))}`);
  assert.equal(e.kind, 'unobserved');
  assert.equal(e.previousHolder, holder);
  assert.equal(e.gapMs, null, 'never a made-up gap');
  const gaps = await listWatchGaps({ clusterId, since: new Date(stoppedAt - 60_000) });
  const g = gaps.find((x) => x.reason === 'collector was not running');
  assert.ok(g, `no watch gap recorded: ${JSON.stringify(gaps)}`);
  assert.ok(Date.parse(g.startedAt) <= stoppedAt && Date.parse(g.endedAt) >= Date.parse(e.observedAt) - 1000, JSON.stringify(g));
});
