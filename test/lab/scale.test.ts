// Quorum on a larger cluster: the lab with a few hundred kwok nodes and a few thousand pods, the real
// collector (temp SQLite, the least-privilege `quorum` identity) following Nodes and Pods with list +
// watch. Checks, each against kubectl (admin) as the independent observer:
// - the worker-node sample is `up`, counts every node, and its headroom equals a computation done here
//   from `kubectl get nodes,pods -o json` (written from the rules, not with Quorum's code);
// - a node made NotReady and a drained node change the sample within one collector interval;
// - killing the LB (haproxy) drops every watch: they resume from their resourceVersion (no relist)
//   and the counts stay exact;
// - etcd compacted past the watches' resourceVersion and every apiserver restarted (their watch caches
//   start after it): the watches get 410 Gone, relist, and the counts stay exact.
// Leaves the lab in its standard state (kwok objects removed) even when a check fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { labQuorum, labState, root } from '../support/lab-quorum';
import { lab } from '../support/lab-cli';

const { dataDir, migrate, closeDb, registerCluster, clusters, samples, createCollector, ALL_PROBES } = await labQuorum('quorum-scale-');
const { listClusters, loadClusterKubeconfig } = clusters;
const { insertSamples, listSamples } = samples;

const KWOK_NODES = Number(process.env.QUORUM_SCALE_NODES ?? 300);
const PODS_PER_NODE = Number(process.env.QUORUM_SCALE_PODS_PER_NODE ?? 10);
const INTERVAL_MS = 10_000;
/** lab kwok makes every 100th node a tainted GPU node. */
const GPU_NODES = Math.floor(KWOK_NODES / 100);
const exec = promisify(execFile);
const kubectlBin = path.join(root, 'lab', '.bin', 'kubectl');
const etcdctl = path.join(root, 'lab', '.bin', 'etcdctl');

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec(kubectlBin, ['--kubeconfig', path.join(labState, 'admin.kubeconfig'), ...args], { timeout: 120_000, maxBuffer: 1 << 30 });
  return stdout;
}

// ---------- the independent computation (from the rules in README "How status is decided", not lib/nodes) ----------
interface KNode { metadata: { name: string; labels?: Record<string, string> }; spec?: { unschedulable?: boolean; taints?: Array<{ effect: string }> }; status: { allocatable: Record<string, string>; conditions?: Array<{ type: string; status: string }> } }
interface KContainer { restartPolicy?: string; resources?: { requests?: Record<string, string> } }
interface KPod { metadata: { annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; controller?: boolean }> }; spec: { nodeName?: string; containers: KContainer[]; initContainers?: KContainer[]; overhead?: Record<string, string> }; status: { phase?: string } }
type R = { cpu: number; mem: number };

/** Quantities as the lab's objects spell them (canonical: m, Ki/Mi/Gi, plain integers), rounded up. */
function qty(s: string | undefined, milli: boolean): number {
  if (s === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(s);
  assert.ok(m, `unexpected quantity ${s}`);
  const mult: Record<string, number> = { '': 1, m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9 };
  const v = Number(m[1]) * mult[m[2] ?? '']! * (milli ? 1000 : 1);
  return Math.ceil(Math.round(v * 1e6) / 1e6);
}
const req = (c: KContainer): R => ({ cpu: qty(c.resources?.requests?.cpu, true), mem: qty(c.resources?.requests?.memory, false) });
function effective(p: KPod): R {
  const sum = p.spec.containers.map(req).reduce((a, b) => ({ cpu: a.cpu + b.cpu, mem: a.mem + b.mem }), { cpu: 0, mem: 0 });
  let side = { cpu: 0, mem: 0 };
  let init = { cpu: 0, mem: 0 };
  for (const c of p.spec.initContainers ?? []) {
    const r = req(c);
    if (c.restartPolicy === 'Always') {
      sum.cpu += r.cpu; sum.mem += r.mem;
      side = { cpu: side.cpu + r.cpu, mem: side.mem + r.mem };
      init = { cpu: Math.max(init.cpu, side.cpu), mem: Math.max(init.mem, side.mem) };
    } else init = { cpu: Math.max(init.cpu, r.cpu + side.cpu), mem: Math.max(init.mem, r.mem + side.mem) };
  }
  return { cpu: Math.max(sum.cpu, init.cpu) + qty(p.spec.overhead?.cpu, true), mem: Math.max(sum.mem, init.mem) + qty(p.spec.overhead?.memory, false) };
}

interface N { name: string; zone: string; ready: string; pool: boolean; cordoned: boolean; tainted: boolean; alloc: R & { pods: number }; used: R & { pods: number }; movable: R[] }

function expected(nodesJson: string, podsJson: string) {
  const nodes: N[] = (JSON.parse(nodesJson) as { items: KNode[] }).items
    .filter((n) => !('node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {})))
    .map((n) => {
      const ready = n.status.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      const cordoned = n.spec?.unschedulable === true;
      const tainted = (n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
      return {
        name: n.metadata.name, zone: n.metadata.labels?.['topology.kubernetes.io/zone'] ?? '(no zone)', ready, cordoned, tainted,
        pool: ready === 'True' && !cordoned && !tainted,
        alloc: { cpu: qty(n.status.allocatable.cpu, true), mem: qty(n.status.allocatable.memory, false), pods: Number(n.status.allocatable.pods) },
        used: { cpu: 0, mem: 0, pods: 0 }, movable: [],
      };
    });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  let pending = 0;
  for (const p of (JSON.parse(podsJson) as { items: KPod[] }).items) {
    if (p.status.phase === 'Succeeded' || p.status.phase === 'Failed') continue;
    if (!p.spec.nodeName) { pending += 1; continue; }
    const n = byName.get(p.spec.nodeName);
    if (!n) continue;
    const r = effective(p);
    n.used.cpu += r.cpu; n.used.mem += r.mem; n.used.pods += 1;
    const daemon = (p.metadata.ownerReferences ?? []).some((o) => o.controller && o.kind === 'DaemonSet') || p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
    if (!daemon) n.movable.push(r);
  }
  // Placing pods, the naive way: every pod (largest first) scans every pool node for the highest free share.
  const lose = (lost: Set<string>, label: string) => {
    const free = nodes.filter((n) => n.pool && !lost.has(n.name)).map((n) => ({ name: n.name, ac: n.alloc.cpu, am: n.alloc.mem, c: n.alloc.cpu - n.used.cpu, m: n.alloc.mem - n.used.mem, p: n.alloc.pods - n.used.pods }));
    const spare = free.reduce((a, f) => ({ cpu: a.cpu + Math.max(0, f.c), mem: a.mem + Math.max(0, f.m), pods: a.pods + Math.max(0, f.p) }), { cpu: 0, mem: 0, pods: 0 });
    const pods = nodes.filter((n) => lost.has(n.name)).flatMap((n) => n.movable).sort((a, b) => b.cpu - a.cpu || b.mem - a.mem);
    let unplaced = 0;
    const short = { cpu: 0, mem: 0 };
    for (const p of pods) {
      let best: (typeof free)[number] | undefined;
      let bestScore = -Infinity;
      for (const f of free) {
        if (!((p.cpu === 0 || p.cpu <= f.c) && (p.mem === 0 || p.mem <= f.m) && f.p >= 1)) continue;
        const score = ((f.ac > 0 ? f.c / f.ac : 0) + (f.am > 0 ? f.m / f.am : 0)) / 2;
        if (score > bestScore || (score === bestScore && best && f.name < best.name)) { best = f; bestScore = score; }
      }
      if (!best) { unplaced += 1; short.cpu += p.cpu; short.mem += p.mem; continue; }
      best.c -= p.cpu; best.m -= p.mem; best.p -= 1;
    }
    const need = pods.reduce((a, p) => ({ cpu: a.cpu + p.cpu, mem: a.mem + p.mem }), { cpu: 0, mem: 0 });
    return {
      lost: label, pods: pods.length, need: { cpuMillis: need.cpu, memoryBytes: need.mem }, unplaced, unplacedNeed: { cpuMillis: short.cpu, memoryBytes: short.mem }, survives: unplaced === 0,
      spareAfter: { cpuMillis: spare.cpu - need.cpu, memoryBytes: spare.mem - need.mem, pods: spare.pods - pods.length },
    };
  };
  const ready = nodes.filter((n) => n.ready === 'True');
  const busiest = (k: (n: N) => number) => [...ready].sort((a, b) => k(b) - k(a) || (a.name < b.name ? -1 : 1))[0]!;
  let worst: ReturnType<typeof lose> | undefined;
  for (const c of [...new Set([busiest((n) => n.used.cpu), busiest((n) => n.used.mem), busiest((n) => n.used.pods)])]) {
    const r = lose(new Set([c.name]), c.name);
    if (!worst || r.unplaced > worst.unplaced || (r.unplaced === worst.unplaced && r.spareAfter.cpuMillis < worst.spareAfter.cpuMillis)) worst = r;
  }
  const zones: Record<string, number> = {};
  for (const n of ready) zones[n.zone] = (zones[n.zone] ?? 0) + 1;
  const zoneLoss = Object.keys(zones).length < 2 ? [] : Object.keys(zones).sort().map((z) => lose(new Set(nodes.filter((n) => n.zone === z).map((n) => n.name)), z));
  return {
    workers: nodes.length, ready: ready.length, notReady: nodes.filter((n) => n.ready === 'False').length, unknown: nodes.filter((n) => n.ready === 'Unknown').length,
    zones, schedulable: nodes.filter((n) => n.pool).length,
    excluded: { cordoned: ready.filter((n) => n.cordoned).length, tainted: ready.filter((n) => !n.cordoned && n.tainted).length },
    pods: { bound: nodes.reduce((a, n) => a + n.used.pods, 0), pending },
    largestNode: worst!.lost, survivesLargestNodeLoss: worst!.survives && nodes.filter((n) => n.pool).length > 1, spareAfterLoss: worst!.spareAfter,
    nodeLoss: worst!, zoneLoss,
  };
}

/** The facts of a sample, reduced to what `expected` computes. */
function comparable(f: Record<string, unknown>) {
  const pickLoss = (l: Record<string, unknown>) => ({ lost: l.lost, pods: l.pods, need: l.need, unplaced: l.unplaced, unplacedNeed: l.unplacedNeed, survives: l.survives, spareAfter: l.spareAfter });
  return {
    workers: f.workers, ready: f.ready, notReady: f.notReady, unknown: f.unknown, zones: f.zones, schedulable: f.schedulable, excluded: f.excluded, pods: f.pods,
    largestNode: f.largestNode, survivesLargestNodeLoss: f.survivesLargestNodeLoss, spareAfterLoss: f.spareAfterLoss,
    nodeLoss: pickLoss(f.nodeLoss as Record<string, unknown>), zoneLoss: (f.zoneLoss as Array<Record<string, unknown>>).map(pickLoss),
  };
}

// ---------- the collector ----------
let clusterId = '';
let collector: ReturnType<typeof createCollector>;
const logs: Array<Record<string, unknown>> = [];
type Sample = Awaited<ReturnType<typeof listSamples>>[number];

async function nodesSample(since: number): Promise<Sample | undefined> {
  const rows = await listSamples({ clusterId, since: new Date(since), probe: 'nodes' });
  return rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
}
const facts = (s: Sample | undefined): Record<string, unknown> => (s?.detail?.facts ?? {}) as Record<string, unknown>;
const cache = (s: Sample | undefined): { nodes: number; pods: number; relists: number; resumes: number; stale?: string } => facts(s).cache as never;

/** Runs cycles (one per second) until the nodes sample satisfies `pred`; returns it and when it was first seen. */
async function cycleUntil(what: string, pred: (s: Sample) => boolean, deadlineMs: number): Promise<{ sample: Sample; ms: number }> {
  const t0 = Date.now();
  let last: Sample | undefined;
  while (Date.now() - t0 < deadlineMs) {
    const started = Date.now();
    await collector.runOnce();
    last = await nodesSample(started - 1);
    if (last && pred(last)) return { sample: last, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.fail(`${what}: not seen within ${deadlineMs} ms; last nodes sample: ${last?.status} ${last?.reason} ${JSON.stringify(cache(last))}`);
}

/** The sample equals the computation from kubectl, taken before and after the cycle (retried only if the cluster changed in between). */
async function assertMatchesKubectl(label: string): Promise<Sample> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const before = expected(await kubectl('get', 'nodes', '-o', 'json'), await kubectl('get', 'pods', '-A', '-o', 'json'));
    const started = Date.now();
    await collector.runOnce();
    const s = await nodesSample(started - 1);
    const afterE = expected(await kubectl('get', 'nodes', '-o', 'json'), await kubectl('get', 'pods', '-A', '-o', 'json'));
    try {
      assert.deepEqual(afterE, before);
    } catch {
      await new Promise((r) => setTimeout(r, 3000)); // the cluster moved while we measured: measure again
      continue;
    }
    assert.ok(s, `${label}: no nodes sample`);
    assert.deepEqual(comparable(facts(s)), before, `${label}: the sample's headroom must equal the computation from kubectl`);
    return s;
  }
  assert.fail(`${label}: the cluster kept changing; no stable measurement in 4 attempts`);
}

before(async () => {
  assert.ok(existsSync(path.join(labState, 'quorum.kubeconfig')), `lab is not up (${labState}); run npm run lab -- up`);
  await lab('up', '--profile', 'ha');
  const add = await lab('kwok', 'add', '--nodes', String(KWOK_NODES), '--pods-per-node', String(PODS_PER_NODE));
  assert.equal(add.nodes, KWOK_NODES);
  assert.equal(add.pods, KWOK_NODES * PODS_PER_NODE);
  await migrate({ quiet: true });
  const c = await registerCluster({ name: 'scale', kubeconfigText: readFileSync(path.join(labState, 'quorum.kubeconfig'), 'utf8') });
  clusterId = c.id;
  collector = createCollector(
    { intervalSeconds: INTERVAL_MS / 1000, probeTimeoutMs: 5000, concurrency: 4, bufferLimit: 100_000 },
    { listClusters, loadKubeconfig: loadClusterKubeconfig, insertSamples, probes: ALL_PROBES, now: Date.now, log: (l) => logs.push(l), bufferDir: mkdtempSync(path.join(dataDir, 'buffer-')) },
  );
});

after(async () => {
  await collector?.stop();
  await closeDb();
  // Standard state again, whatever happened above.
  await lab('fault', 'start', 'haproxy').catch(() => undefined);
  const r = await lab('kwok', 'remove');
  assert.deepEqual(r.left, { nodes: 0, ready: 0, pods: 0, notRunning: 0 });
  await lab('up', '--profile', 'ha');
});

test('the worker-node sample is up, counts every node and pod, and its headroom equals the computation from kubectl', { timeout: 300_000 }, async (t) => {
  const { sample, ms } = await cycleUntil('first synced nodes sample', (s) => s.status !== 'unknown', 60_000);
  assert.equal(sample.status, 'up', sample.reason);
  t.diagnostic(`first synced sample after ${ms} ms: ${sample.reason}`);
  const s = await assertMatchesKubectl('steady state');
  const f = facts(s);
  assert.equal(f.workers, KWOK_NODES + 3, 'every kwok node and the 3 lab workers');
  assert.equal((f.pods as { bound: number }).bound, KWOK_NODES * PODS_PER_NODE + 6, 'every kwok pod and the 6 headroom-load pods');
  assert.equal(cache(s).nodes, KWOK_NODES + 3);
  assert.match(s.reason, new RegExp(`^${KWOK_NODES + 3}/${KWOK_NODES + 3} workers Ready, ${KWOK_NODES + 3 - GPU_NODES} schedulable \\(${GPU_NODES} tainted\\); N\\+1: survives losing kwok-node-\\d+`));
  // Every other probe is fine at this size too (lists of the EndpointSlices and Leases come from watches as well).
  const all = await listSamples({ clusterId, since: new Date(Date.parse(s.at)), until: new Date(Date.parse(s.at) + 1) });
  assert.deepEqual(all.filter((x) => x.status !== 'up').map((x) => `${x.probe}/${x.target}: ${x.status} ${x.reason}`), []);
});

test('a node made NotReady, and a drained node, change the sample within one interval', { timeout: 300_000 }, async (t) => {
  const victim = 'kwok-node-00007';
  const f0 = await lab('kwok', 'not-ready', victim);
  const t0 = Date.parse(String(f0.at));
  const nr = await cycleUntil('NotReady seen', (s) => (facts(s).notReady as number) === 1 && s.reason.includes(`NotReady: ${victim}`), INTERVAL_MS);
  assert.equal(nr.sample.status, 'degraded');
  assert.ok(Date.parse(nr.sample.at) - t0 <= INTERVAL_MS, `seen ${Date.parse(nr.sample.at) - t0} ms after the fault`);
  t.diagnostic(`NotReady in the sample taken ${Date.parse(nr.sample.at) - t0} ms after the fault: ${nr.sample.reason}`);
  await assertMatchesKubectl('one node NotReady');
  await lab('kwok', 'ready', victim);
  // The controller-manager lifts its not-ready taints a few seconds after the node is Ready again: only the GPU pool stays tainted.
  await cycleUntil('Ready again, untainted', (s) => s.status === 'up' && (facts(s).excluded as { tainted: number }).tainted === GPU_NODES, 60_000);

  const drained = 'kwok-node-00011';
  const before = facts(await nodesSample(Date.now() - 60_000));
  const d = await lab('kwok', 'drain', drained);
  assert.equal(d.evicted, PODS_PER_NODE);
  const dr = await cycleUntil('drain seen', (s) => (facts(s).excluded as { cordoned: number }).cordoned === 1 && (facts(s).pods as { bound: number }).bound === (before.pods as { bound: number }).bound - PODS_PER_NODE, INTERVAL_MS);
  assert.ok(dr.ms <= INTERVAL_MS, `seen ${dr.ms} ms after the drain returned`);
  t.diagnostic(`drain seen ${dr.ms} ms after kubectl drain returned: ${dr.sample.reason}`);
  assert.match(dr.sample.reason, /\(1 cordoned, \d+ tainted\)/);
  await assertMatchesKubectl('one node drained');
  await lab('kwok', 'uncordon', drained);
});

test('killing the LB drops every watch: they resume from their resourceVersion (no relist) and the counts stay exact', { timeout: 300_000 }, async (t) => {
  const s0 = await assertMatchesKubectl('before the LB kill');
  const c0 = cache(s0);
  await lab('fault', 'kill', 'haproxy'); // the supervisor restarts it after 2 s
  const down = await cycleUntil('watches dropped (reconnecting or stale)', (s) => !!cache(s)?.stale || s.status === 'unknown' || cache(s).resumes > c0.resumes, 30_000);
  const back = await cycleUntil('watches resumed', (s) => s.status === 'up' && !cache(s).stale && cache(s).resumes >= c0.resumes + 2, 60_000);
  assert.equal(cache(back.sample).relists, c0.relists, 'resumed from the last resourceVersion, not relisted');
  t.diagnostic(`during the outage: ${down.sample.status} ${down.sample.reason}`);
  t.diagnostic(`resumed ${back.ms} ms later: ${back.sample.reason}`);
  const s = await assertMatchesKubectl('after the LB came back');
  assert.equal(cache(s).nodes, KWOK_NODES + 3);
  assert.ok(logs.some((l) => l.event === 'informer-down' && l.informer === 'nodes' && l.errorClass === 'unreachable'), 'the drop was seen and logged');
});

test('etcd compacted and every apiserver restarted: the watches get 410 Gone, relist, and the counts stay exact', { timeout: 400_000 }, async (t) => {
  const s0 = await assertMatchesKubectl('before the compaction');
  const c0 = cache(s0);
  const status = JSON.parse((await exec(etcdctl, ['--endpoints', 'http://10.213.0.11:2379', 'endpoint', 'status', '-w', 'json'])).stdout) as Array<{ Status: { header: { revision: number } } }>;
  const rev = status[0]!.Status.header.revision;
  await exec(etcdctl, ['--endpoints', 'http://10.213.0.11:2379', 'compact', String(rev)]);
  for (const n of ['1', '2', '3']) await lab('fault', 'kill', 'kube-apiserver', '--node', n);
  await lab('up', '--profile', 'ha'); // waits until every apiserver and the LB are ready again
  const back = await cycleUntil('relisted after 410', (s) => s.status === 'up' && !cache(s).stale && cache(s).relists >= c0.relists + 2, 120_000);
  assert.ok(logs.some((l) => l.event === 'informer-down' && l.gone === true && /too old resource version/.test(String(l.error))), `a 410 was seen: ${JSON.stringify(logs.filter((l) => l.event === 'informer-down').slice(-5))}`);
  assert.equal(cache(back.sample).nodes, KWOK_NODES + 3);
  t.diagnostic(`relisted; sample ${back.ms} ms after the apiservers were ready: ${back.sample.reason}`);
  await assertMatchesKubectl('after the relist');
});
