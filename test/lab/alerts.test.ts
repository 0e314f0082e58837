// Alerts and metrics end to end, against the real lab and real upstream servers built from their Go
// modules (lab/build-tools.sh): the real collector process (lib/collector/main.ts, alerting after
// each cycle), the real web server (GET /metrics), Alertmanager and Prometheus started by this test,
// and a webhook receiver that verifies the HMAC signature.
//   1. two etcd members killed → QuorumEtcdQuorumLost in Alertmanager's /api/v2/alerts with the right
//      labels within two collector intervals of the first stored sample that saw it; restored → resolved;
//   2. the kube-scheduler leader killed → a failover notification at the webhook receiver, signed;
//   3. Prometheus scrapes Quorum; PromQL returns the dashboard's availability and failover count.
// Needs the lab (npm run lab -- up) and a built web app (next build). Ports 3520-3529 on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startReceiver, verifySignature, waitFor, type Receiver } from '../support/receiver';
import { lab } from '../support/lab-cli';

const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-alerts-lab-'));
process.env.QUORUM_DATA_DIR = dataDir;
process.env.QUORUM_OUTBOUND_ALLOW_LOOPBACK = '1'; // the lab LB and this test's own receivers are on loopback
delete process.env.DATABASE_URL;

const { migrate } = await import('@/lib/db/migrate');
const { closeDb } = await import('@/lib/db');
const { registerCluster } = await import('@/lib/clusters/register');
const { createChannel } = await import('@/lib/data/channels');
const { updateAlertSettings } = await import('@/lib/data/alerts');
const { listDeliveryAttempts, listRecentNotifications } = await import('@/lib/data/deliveries');
const { listSamples } = await import('@/lib/data/samples');
const { listFailovers } = await import('@/lib/data/failovers');
const { getFleet } = await import('@/lib/data/fleet');
const { presetRange } = await import('@/lib/slo/range');
const { createApiToken } = await import('@/lib/data/auth');

const BIN = path.join(root, 'lab', '.bin');
const labState = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));
const quorumKubeconfig = path.join(labState, 'quorum.kubeconfig');
const INTERVAL_S = 10;
const PORT = { alertmanager: 3520, webhook: 3521, web: 3522, prometheus: 3523 };
const CLUSTER = 'lab-alerts';
const SECRET = 'lab-alerts-hmac-secret-4f1c9e2a7b';
const LAB_ETCD = [11, 12, 13].map((n) => `http://10.213.0.${n}:2379`);

const children: ChildProcess[] = [];
let webhook: Receiver;
let clusterId = '';
let amChannelId = '';

function start(name: string, cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const log = createWriteStream(path.join(dataDir, `${name}.log`));
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.push(child);
  return child;
}


async function httpJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}
const amAlerts = (): Promise<AmAlert[]> => httpJson<AmAlert[]>(`http://127.0.0.1:${PORT.alertmanager}/api/v2/alerts`);

/** Alertmanager's own count of alerts it received as resolved (its /metrics). */
async function amResolvedReceived(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${PORT.alertmanager}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('alertmanager_alerts_received_total{') && l.includes('status="resolved"'))
    .reduce((a, l) => a + Number(l.split(' ').at(-1)), 0);
}

async function promQuery(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await httpJson<{ status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }>(`http://127.0.0.1:${PORT.prometheus}/api/v1/query?query=${encodeURIComponent(q)}`);
  assert.equal(r.status, 'success');
  return r.data.result;
}

before(async () => {
  for (const b of ['alertmanager', 'prometheus', 'promtool']) assert.ok(existsSync(path.join(BIN, b)), `${b} is not built: bash lab/build-tools.sh`);
  assert.ok(existsSync(path.join(root, '.next', 'BUILD_ID')), 'the web app is not built: npx next build');
  assert.ok(existsSync(quorumKubeconfig), `lab is not up: ${quorumKubeconfig} missing`);
  await lab('up', '--profile', 'ha');
  await migrate({ quiet: true });

  // Alertmanager: one route grouping by cluster, to a receiver that discards (the test reads its API).
  const amDir = path.join(dataDir, 'alertmanager');
  writeFileSync(path.join(dataDir, 'alertmanager.yml'), 'route:\n  receiver: discard\n  group_by: [cluster]\n  group_wait: 1s\nreceivers:\n  - name: discard\n');
  start('alertmanager', path.join(BIN, 'alertmanager'), [`--config.file=${path.join(dataDir, 'alertmanager.yml')}`, `--storage.path=${amDir}`, `--web.listen-address=127.0.0.1:${PORT.alertmanager}`, '--cluster.listen-address=', '--log.level=warn']);
  await waitFor('Alertmanager ready', async () => (await fetch(`http://127.0.0.1:${PORT.alertmanager}/-/ready`)).ok, 30_000);
  webhook = await startReceiver(PORT.webhook);

  const c = await registerCluster({ name: CLUSTER, kubeconfigText: readFileSync(quorumKubeconfig, 'utf8'), etcd: { endpoints: LAB_ETCD } });
  clusterId = c.id;
  amChannelId = (await createChannel({ name: 'lab-alertmanager', kind: 'alertmanager', secret: { urls: [`http://127.0.0.1:${PORT.alertmanager}`] } })).id;
  await createChannel({ name: 'lab-webhook', kind: 'webhook', secret: { url: `${webhook.url}/quorum`, hmacSecret: SECRET } });
  await updateAlertSettings({ forCycles: 2, failover: { mode: 'all' } }, 'lab-test');
  const { token } = await createApiToken({ name: 'prometheus', role: 'viewer', createdBy: 'lab-test', expiresAt: null });
  writeFileSync(path.join(dataDir, 'prometheus.token'), `${token}\n`, { mode: 0o600 });
  await closeDb();

  // Probe timeout 4 s: without quorum the apiservers take ≈ 4 s to answer readyz, so a cycle ends within
  // 5 s (timeout + 1 s deadline) — a sample's result is known half an interval after it was taken.
  const env = { QUORUM_COLLECTOR_INTERVAL_SECONDS: String(INTERVAL_S), QUORUM_PROBE_TIMEOUT_MS: '4000', NEXT_TELEMETRY_DISABLED: '1' };
  start('collector', path.join(root, 'node_modules', '.bin', 'tsx'), ['lib/collector/main.ts'], env);
  start('web', path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/web-server.ts', '--hostname', '127.0.0.1', '--port', String(PORT.web)], env);
  await waitFor('web server', async () => (await fetch(`http://127.0.0.1:${PORT.web}/api/healthz`)).status === 200, 120_000, 500);

  writeFileSync(
    path.join(dataDir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 5s, evaluation_interval: 5s }',
      'scrape_configs:',
      '  - job_name: quorum',
      '    metrics_path: /metrics',
      '    authorization:',
      '      type: Bearer',
      `      credentials_file: ${path.join(dataDir, 'prometheus.token')}`,
      '    static_configs:',
      `      - targets: ['127.0.0.1:${PORT.web}']`,
      '',
    ].join('\n'),
  );
  start('prometheus', path.join(BIN, 'prometheus'), [`--config.file=${path.join(dataDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dataDir, 'prometheus')}`, `--web.listen-address=127.0.0.1:${PORT.prometheus}`, '--log.level=warn']);
  await waitFor('Prometheus ready', async () => (await fetch(`http://127.0.0.1:${PORT.prometheus}/-/ready`)).ok, 60_000, 500);
  // The cluster is up and stored before any fault.
  await waitFor('the lab cluster sampled up', async () => (await listSamples({ clusterId, since: new Date(Date.now() - 60_000), probe: 'apiserver-readyz' })).some((s) => s.status === 'up'), 90_000, 1000);
});

after(async () => {
  for (const c of children.reverse()) {
    if (c.exitCode === null) c.kill('SIGTERM');
  }
  await Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => { const t = setTimeout(() => { c.kill('SIGKILL'); r(undefined); }, 15_000); c.once('exit', () => { clearTimeout(t); r(undefined); }); }))));
  await webhook?.close();
  await closeDb();
});

test('two etcd members killed: QuorumEtcdQuorumLost in Alertmanager within two intervals, with its labels; restored: resolved', { timeout: 420_000 }, async () => {
  const killedAt = Date.now();
  await lab('fault', 'kill', 'etcd', '--node', '2', '--no-restart');
  await lab('fault', 'kill', 'etcd', '--node', '3', '--no-restart');
  let firstLost: number | null = null;
  let inAm: { at: number; alert: AmAlert } | null = null;
  try {
    inAm = await waitFor(
      'QuorumEtcdQuorumLost in Alertmanager',
      async () => {
        if (firstLost === null) {
          const s = (await listSamples({ clusterId, since: new Date(killedAt), probe: 'etcd' })).filter((x) => x.target === 'etcd' && (x.detail?.facts as { hasQuorum?: boolean } | undefined)?.hasQuorum === false);
          if (s.length) firstLost = Math.min(...s.map((x) => Date.parse(x.at)));
        }
        const a = (await amAlerts()).find((x) => x.labels.alertname === 'QuorumEtcdQuorumLost' && x.labels.cluster === CLUSTER);
        return a ? { at: Date.now(), alert: a } : null;
      },
      180_000,
      500,
    );
    assert.ok(firstLost !== null, 'a stored etcd sample saw the quorum lost');
    const delayS = (inAm.at - firstLost) / 1000;
    console.log(`# etcd quorum lost: first stored sample taken ${new Date(firstLost).toISOString()}, alert in Alertmanager ${delayS.toFixed(1)} s later (bound: 2 × ${INTERVAL_S} s); startsAt ${inAm.alert.startsAt} (the second sample)`);
    assert.ok(delayS <= 2 * INTERVAL_S, `the alert reached Alertmanager ${delayS.toFixed(1)} s after the first sample that saw the quorum lost (more than two intervals)`);
    assert.deepEqual(
      Object.fromEntries(['alertname', 'cluster', 'component', 'severity', 'slo', 'rule'].map((k) => [k, inAm!.alert.labels[k]])),
      { alertname: 'QuorumEtcdQuorumLost', cluster: CLUSTER, component: 'etcd', severity: 'page', slo: `${CLUSTER}-default`, rule: 'etcd-quorum-lost' },
    );
    // The one member left answers "no leader": 0/3 (or 1/3 for a moment) healthy.
    assert.match(inAm.alert.annotations.summary ?? '', /^etcd quorum lost on lab-alerts \(etcd probe\): quorum lost: [01]\/3 healthy, 2 needed/);
    assert.equal(inAm.alert.status.state, 'active');
    // The second sample that completed the run of 2 is the alert's start.
    assert.ok(Date.parse(inAm.alert.startsAt) >= firstLost && Date.parse(inAm.alert.startsAt) - firstLost <= 2 * INTERVAL_S * 1000);
    // The signed webhook got it too.
    const hook = await waitFor('QuorumEtcdQuorumLost at the webhook', () => webhook.received.find((r) => r.body.includes('"QuorumEtcdQuorumLost"') && r.body.includes('"firing"')), 30_000);
    assert.equal(verifySignature(hook, SECRET), true);
  } finally {
    await lab('fault', 'start', 'etcd', '--node', '2');
    await lab('fault', 'start', 'etcd', '--node', '3');
  }
  const resolvedBefore = await amResolvedReceived();
  const restoredAt = Date.now();
  await waitFor('the alert leaves Alertmanager (endsAt: the resolve time)', async () => !(await amAlerts()).some((x) => x.labels.alertname === 'QuorumEtcdQuorumLost' && x.labels.cluster === CLUSTER), 180_000, 1000);
  const goneS = (Date.now() - restoredAt) / 1000;
  console.log(`# etcd restored: resolved in Alertmanager ${goneS.toFixed(1)} s after the restart`);
  // Resolved by Quorum's endsAt, not by expiry (that would take 4 min after the last refresh).
  assert.ok((await amResolvedReceived()) > resolvedBefore, 'Alertmanager counted a resolved alert it received');
  const hook = await waitFor('resolved at the webhook', () => webhook.received.find((r) => r.body.includes('"QuorumEtcdQuorumLost"') && /"transition":"resolved"/.test(r.body)), 60_000);
  assert.equal(verifySignature(hook, SECRET), true);
  // The outbox: the resolved transition, delivered to Alertmanager; the delivery log has its HTTP attempt.
  const resolvedNote = (await listRecentNotifications(200)).find((n) => n.alertname === 'QuorumEtcdQuorumLost' && n.transition === 'resolved');
  assert.ok(resolvedNote, 'a resolved notification in the outbox');
  assert.ok(resolvedNote.deliveries.some((d) => d.channelId === amChannelId && d.status === 'delivered'), JSON.stringify(resolvedNote.deliveries));
  // The restore's message can also carry failover events (the leaders re-elect); the attempt's summary
  // leads with what resolved and counts the rest.
  const log = await listDeliveryAttempts({ channelId: amChannelId, outcome: 'ok' }, { limit: 500 });
  assert.ok(
    log.attempts.some((a) => a.kind === 'notify' && Date.parse(String(a.at)) >= restoredAt && /(^|; )resolved Quorum/.test(a.summary)),
    `the delivery log has the resolved message to Alertmanager: ${JSON.stringify(log.attempts.map((a) => [a.kind, a.at, a.summary]))}`,
  );
  await waitFor('the cluster is up again', async () => (await listSamples({ clusterId, since: new Date(Date.now() - 30_000), probe: 'apiserver-readyz' })).some((s) => s.status === 'up'), 180_000, 2000);
});

test('the kube-scheduler leader killed: a signed failover notification at the webhook receiver', { timeout: 240_000 }, async () => {
  // After the etcd outage the leaders re-elect: wait until the scheduler Lease has been quiet for 20 s
  // (no takeover stored), so the takeover this kill causes is the one we look for.
  await waitFor('the kube-scheduler Lease settled', async () => {
    const fo = (await listFailovers({ clusterId, since: new Date(Date.now() - 10 * 60_000), lease: 'kube-system/kube-scheduler' })).at(-1);
    return !fo || Date.now() - Date.parse(fo.observedAt) > 20_000;
  }, 120_000, 2000);
  const killed = await waitFor('a live scheduler leader', async () => {
    try {
      return await lab('fault', 'kill', 'kube-scheduler', '--leader');
    } catch {
      return null;
    }
  }, 120_000, 3000);
  const killedAt = Date.parse(String(killed.at));
  const killedHolder = `qlab-cp${String(killed.node)}_`;
  const msg = await waitFor(
    `a QuorumLeaderFailover for kube-scheduler away from ${killedHolder}…`,
    () =>
      webhook.received.find((r) => {
        if (!r.body.includes('"QuorumLeaderFailover"')) return false;
        const b = JSON.parse(r.body) as { notifications: Array<{ alertname: string; labels: Record<string, string>; startsAt: string; summary: string }> };
        return b.notifications.some((n) => n.alertname === 'QuorumLeaderFailover' && n.labels.lease === 'kube-system/kube-scheduler' && Date.parse(n.startsAt) >= killedAt && n.summary.includes(`: ${killedHolder}`));
      }),
    150_000,
    1000,
  );
  assert.equal(verifySignature(msg, SECRET), true, 'the HMAC-SHA256 signature verifies');
  assert.equal(verifySignature({ ...msg, body: `${msg.body} ` }, SECRET), false, 'and fails for a changed body');
  const body = JSON.parse(msg.body) as { cluster: { name: string }; notifications: Array<{ alertname: string; labels: Record<string, string>; summary: string; severity: string }> };
  const n = body.notifications.find((x) => x.alertname === 'QuorumLeaderFailover' && x.labels.lease === 'kube-system/kube-scheduler' && x.summary.includes(`: ${killedHolder}`))!;
  assert.equal(body.cluster.name, CLUSTER);
  assert.equal(n.severity, 'info');
  assert.equal(n.labels.kind, 'crash');
  assert.match(n.summary, /^kube-scheduler failover on lab-alerts \(crash\): qlab-cp\d_[0-9a-f-]+ → qlab-cp\d_[0-9a-f-]+, gap \d+\.\d\d s$/);
  // A SIGKILLed leader cannot release: the Lease had to expire (8 s) — the gap is at least that.
  const gapS = Number(/gap (\d+\.\d\d) s$/.exec(n.summary)![1]);
  assert.ok(gapS >= 8, `gap ${gapS} s`);
  console.log(`# scheduler leader killed at ${String(killed.at)}: ${n.summary}; at the receiver ${((msg.at - killedAt) / 1000).toFixed(1)} s after the kill`);
});

test('Prometheus scrapes Quorum: PromQL returns the dashboard\'s availability and failover count; promtool accepts the live exposition', { timeout: 240_000 }, async () => {
  // Freeze the figures: stop the collector, wait until the last sample's span is over (3 intervals).
  const collector = children.find((c) => c.spawnargs.includes('lib/collector/main.ts'))!;
  collector.kill('SIGTERM');
  await new Promise((r) => (collector.exitCode !== null ? r(undefined) : collector.once('exit', r)));
  const last = Math.max(...(await listSamples({ clusterId, since: new Date(Date.now() - 5 * 60_000) })).map((s) => Date.parse(s.lastAt))); // rows are runs: their last samples
  const frozenAt = last + 3 * INTERVAL_S * 1000 + 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, frozenAt - Date.now())));
  await waitFor('a scrape after the figures froze', async () => {
    const t = await httpJson<{ data: { activeTargets: Array<{ health: string; lastScrape: string; lastError: string }> } }>(`http://127.0.0.1:${PORT.prometheus}/api/v1/targets`);
    const q = t.data.activeTargets[0];
    assert.notEqual(q?.health, 'down', `Prometheus cannot scrape Quorum: ${q?.lastError}`);
    return q && q.health === 'up' && Date.parse(q.lastScrape) > frozenAt + 500;
  }, 60_000, 1000);

  const dash = await getFleet({ range: presetRange('30d', Date.now()) });
  const row = dash.rows.find((r) => r.cluster.name === CLUSTER)!;
  assert.ok(row.slo?.availability !== null && row.slo?.availability !== undefined);
  const [avail] = await promQuery(`quorum_slo_availability_ratio{cluster="${CLUSTER}",component="control-plane"}`);
  assert.ok(avail, 'the availability series');
  assert.equal(avail.metric.job, 'quorum');
  assert.equal(Number(avail.value[1]), row.slo.availability, `PromQL ${avail.value[1]} vs dashboard ${row.slo.availability}`);
  assert.ok(row.slo.availability < 1, 'the etcd outage is in it');
  const [budget] = await promQuery(`quorum_slo_error_budget_remaining_ratio{cluster="${CLUSTER}",component="control-plane"}`);
  assert.equal(Number(budget!.value[1]), row.slo.budget.remainingFraction);

  const [takeovers] = await promQuery(`sum(quorum_leader_takeovers_total{cluster="${CLUSTER}"})`);
  const stored = await listFailovers({ clusterId, since: new Date(0) });
  assert.equal(Number(takeovers!.value[1]), row.failovers, 'the dashboard\'s failover count (30 days)');
  assert.equal(row.failovers, stored.length);
  assert.ok(stored.length >= 1);
  const [gapCount] = await promQuery(`sum(quorum_leader_failover_gap_seconds_count{cluster="${CLUSTER}"})`);
  assert.equal(Number(gapCount!.value[1]), stored.filter((f) => f.kind !== 'unobserved' && f.gapMs !== null).length);
  const [hb] = await promQuery('quorum_collector_cycles_total');
  assert.ok(Number(hb!.value[1]) >= 5, 'the collector heartbeat reached Prometheus');
  console.log(`# PromQL: availability ${avail.value[1]} (dashboard ${row.slo.availability}), takeovers ${takeovers!.value[1]} (dashboard ${row.failovers})`);

  // promtool check metrics on what the server serves.
  const token = readFileSync(path.join(dataDir, 'prometheus.token'), 'utf8').trim();
  const text = await (await fetch(`http://127.0.0.1:${PORT.web}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const child = execFile(path.join(BIN, 'promtool'), ['check', 'metrics']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin!.end(text);
  assert.equal(await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1))), 0, out);
  // Without a token: 401, never the metrics.
  const anon = await fetch(`http://127.0.0.1:${PORT.web}/metrics`);
  assert.equal(anon.status, 401);
});
