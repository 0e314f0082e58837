// The alert rules (lib/alerts/rules.ts) and the pure fact helpers (lib/alerts/facts.ts): exact
// conditions from stored samples, N consecutive cycles, staleness, severities, labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consecutive, evaluateRules, failoverNotices, type ClusterFacts, type FailoverFact, type RecentSample, type RecentSeries } from '@/lib/alerts/rules';
import { DEFAULT_ALERT_SETTINGS, mergeSettings, parseStoredSettings, AlertSettingsPatch, type AlertSettings } from '@/lib/alerts/settings';
import { maintenanceNow, unknownSince } from '@/lib/alerts/facts';
import { burnRateWindows, evaluateBurnAlerts } from '@/lib/slo';
import { sloName, sloOf } from '@/lib/slo/names';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Real etcd/etcd samples stored by the collector in the lab (facts.members is the member list). */
const lab = (name: string): { status: RecentSample['status']; reason: string; detail: { facts: Record<string, unknown> } } =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'etcd', `${name}.json`), 'utf8')) as never;

const S = 1000;
const NOW = Date.UTC(2026, 11, 1, 10, 0, 0);
const STALE = 60 * S;
const settings = (over: Partial<AlertSettings> = {}): AlertSettings => ({ ...structuredClone(DEFAULT_ALERT_SETTINGS), ...over }) as AlertSettings;

/** Samples newest first, one per 10 s cycle ending at `NOW - lastAgeMs`. */
function samples(statuses: Array<RecentSample['status']>, o: { lastAgeMs?: number; checks?: RecentSample['checks']; facts?: RecentSample['facts']; reason?: string } = {}): RecentSample[] {
  return statuses.map((status, i) => ({ atMs: NOW - (o.lastAgeMs ?? 2 * S) - i * 10 * S, status, reason: o.reason ?? (status === 'up' ? 'ok' : `${status} reason`), checks: o.checks ?? [], facts: o.facts ?? {} }));
}

function facts(series: RecentSeries[], over: Partial<ClusterFacts> = {}): ClusterFacts {
  return { clusterId: 'c1', clusterName: 'lab', nowMs: NOW, staleAfterMs: STALE, series, burn: null, sloOf: () => 'lab-default', unknownSinceMs: null, ...over };
}

const pick = (conds: ReturnType<typeof evaluateRules>, rule: string, component?: string) => conds.filter((c) => c.rule === rule && (component === undefined || c.component === component)).map((c) => ({ active: c.active, pending: c.pending, sinceMs: c.sinceMs ?? null, severity: c.severity }));

test('consecutive(): the newest run that satisfies the predicate; a stale newest sample counts 0', () => {
  const down = (s: RecentSample): boolean => s.status === 'down';
  assert.equal(consecutive(samples(['down', 'down', 'up', 'down']), NOW, STALE, down), 2);
  assert.equal(consecutive(samples(['up', 'down', 'down']), NOW, STALE, down), 0);
  assert.equal(consecutive(samples(['down', 'down', 'down']), NOW, STALE, down), 3);
  assert.equal(consecutive(samples(['down', 'down'], { lastAgeMs: 61 * S }), NOW, STALE, down), 0);
  assert.equal(consecutive([], NOW, STALE, down), 0);
});

test('component down for N consecutive cycles: pending below N, firing at N with the Nth sample as its start; page for the endpoint, ticket for a replica', () => {
  const s = settings({ forCycles: 3 });
  const endpoint = (st: Array<RecentSample['status']>): RecentSeries => ({ probe: 'apiserver-readyz', target: 'endpoint', recent: samples(st) });
  const replica: RecentSeries = { probe: 'apiserver-replicas', target: '10.213.0.12:6443', recent: samples(['down', 'down', 'down', 'down']) };
  assert.deepEqual(pick(evaluateRules(facts([endpoint(['down', 'down', 'up'])]), s), 'component-down'), [{ active: false, pending: true, sinceMs: null, severity: 'page' }]);
  // 3 of 3: the newest sample (NOW − 2 s) is the third down one in a row: it fired then.
  assert.deepEqual(pick(evaluateRules(facts([endpoint(['down', 'down', 'down', 'up'])]), s), 'component-down'), [{ active: true, pending: false, sinceMs: NOW - 2 * S, severity: 'page' }]);
  // 4 in a row: still the sample that completed the first run of 3 (stable from cycle to cycle).
  assert.deepEqual(pick(evaluateRules(facts([endpoint(['down', 'down', 'down', 'down'])]), s), 'component-down')[0]!.sinceMs, NOW - 12 * S);
  assert.deepEqual(pick(evaluateRules(facts([replica]), s), 'component-down', 'apiserver-replicas/10.213.0.12:6443'), [{ active: true, pending: false, sinceMs: NOW - 12 * S, severity: 'ticket' }]);
  // unknown is not down (that is the no-data rule's business).
  assert.deepEqual(pick(evaluateRules(facts([endpoint(['unknown', 'unknown', 'unknown'])]), s), 'component-down'), [{ active: false, pending: false, sinceMs: null, severity: 'page' }]);
  // forCycles 1: the first down sample fires.
  assert.deepEqual(pick(evaluateRules(facts([endpoint(['down', 'up'])]), settings({ forCycles: 1 })), 'component-down')[0], { active: true, pending: false, sinceMs: NOW - 2 * S, severity: 'page' });
});

test('etcd quorum lost: from the direct etcd probe, else from the readyz etcd check; fault tolerance 0 only where the membership had some', () => {
  const s = settings({ forCycles: 2 });
  const lost = lab('sample-quorum-lost');
  const direct: RecentSeries = { probe: 'etcd', target: 'etcd', recent: samples([lost.status, lost.status], { facts: lost.detail.facts, reason: lost.reason }) };
  const c1 = evaluateRules(facts([direct]), s);
  assert.deepEqual(pick(c1, 'etcd-quorum-lost'), [{ active: true, pending: false, sinceMs: NOW - 2 * S, severity: 'page' }]);
  assert.deepEqual(pick(c1, 'etcd-no-fault-tolerance'), [{ active: false, pending: false, sinceMs: null, severity: 'ticket' }]);
  assert.match(c1.find((c) => c.rule === 'etcd-quorum-lost')!.summary, /^etcd quorum lost on lab \(etcd probe\): quorum lost: 0\/3 healthy, 2 needed; errors: etcdserver: no leader/);
  // The real 3-member healthy sample fires neither.
  const healthy = lab('sample-healthy');
  const ok = evaluateRules(facts([{ probe: 'etcd', target: 'etcd', recent: samples([healthy.status, healthy.status], { facts: healthy.detail.facts, reason: healthy.reason }) }]), s);
  assert.deepEqual([pick(ok, 'etcd-quorum-lost')[0]!.active, pick(ok, 'etcd-no-fault-tolerance')[0]!.active], [false, false]);
  // The direct probe's etcd/etcd series is not also "component down".
  assert.deepEqual(pick(c1, 'component-down'), []);
  const noTol = lab('sample-no-tolerance');
  const degraded: RecentSeries = { probe: 'etcd', target: 'etcd', recent: samples([noTol.status, noTol.status], { facts: noTol.detail.facts, reason: noTol.reason }) };
  assert.deepEqual(pick(evaluateRules(facts([degraded]), s), 'etcd-no-fault-tolerance'), [{ active: true, pending: false, sinceMs: NOW - 2 * S, severity: 'ticket' }]);
  const single: RecentSeries = { probe: 'etcd', target: 'etcd', recent: samples(['up', 'up'], { facts: { members: 1, healthy: 1, toleranceNow: 0, toleranceDesign: 0, hasQuorum: true } }) };
  assert.deepEqual(pick(evaluateRules(facts([single]), s), 'etcd-no-fault-tolerance')[0]!.active, false);

  // No direct probe: the apiserver's readyz etcd check. A sample without the check (a timeout) ends the run.
  const failing = [{ name: 'etcd', ok: false, message: 'reason withheld' }, { name: 'etcd-readiness', ok: false }, { name: 'ping', ok: true }];
  const readyz = (checks: RecentSample['checks'][]): RecentSeries => ({ probe: 'apiserver-readyz', target: 'endpoint', recent: checks.map((c, i) => ({ ...samples(['down'])[0]!, atMs: NOW - 2 * S - i * 10 * S, checks: c })) });
  const c2 = evaluateRules(facts([readyz([failing, failing])]), s);
  assert.deepEqual(pick(c2, 'etcd-quorum-lost'), [{ active: true, pending: false, sinceMs: NOW - 2 * S, severity: 'page' }]);
  assert.equal(c2.find((c) => c.rule === 'etcd-quorum-lost')!.summary, 'etcd quorum lost on lab, as the apiserver sees it: readyz etcd, etcd-readiness failing');
  assert.deepEqual(pick(evaluateRules(facts([readyz([failing, []])]), s), 'etcd-quorum-lost')[0], { active: false, pending: true, sinceMs: null, severity: 'page' });
  assert.deepEqual(pick(evaluateRules(facts([readyz([[{ name: 'etcd', ok: true }], failing])]), s), 'etcd-quorum-lost')[0], { active: false, pending: false, sinceMs: null, severity: 'page' });
});

test('DNS down and N+1 headroom lost', () => {
  const s = settings({ forCycles: 2 });
  const dns: RecentSeries = { probe: 'dns', target: 'kube-dns', recent: samples(['down', 'down']) };
  assert.deepEqual(pick(evaluateRules(facts([dns]), s), 'dns-down'), [{ active: true, pending: false, sinceMs: NOW - 2 * S, severity: 'page' }]);
  const degradedDns: RecentSeries = { probe: 'dns', target: 'kube-dns', recent: samples(['degraded', 'degraded']) };
  assert.equal(pick(evaluateRules(facts([degradedDns]), s), 'dns-down')[0]!.active, false);
  const nodes = (survives: boolean, workers = 3): RecentSeries => ({ probe: 'nodes', target: 'workers', recent: samples(['degraded', 'degraded'], { facts: { workers, survivesLargestNodeLoss: survives } }) });
  assert.deepEqual(pick(evaluateRules(facts([nodes(false)]), s), 'headroom-lost'), [{ active: true, pending: false, sinceMs: NOW - 2 * S, severity: 'ticket' }]);
  assert.equal(pick(evaluateRules(facts([nodes(true)]), s), 'headroom-lost')[0]!.active, false);
  assert.equal(pick(evaluateRules(facts([nodes(false, 0)]), s), 'headroom-lost')[0]!.active, false);
});

test('no data: unknown for N minutes fires at unknownSince + N min; less is pending', () => {
  const s = settings({ noDataMinutes: 5 });
  assert.deepEqual(pick(evaluateRules(facts([], { unknownSinceMs: NOW - 4 * 60 * S }), s), 'no-data'), [{ active: false, pending: true, sinceMs: null, severity: 'ticket' }]);
  assert.deepEqual(pick(evaluateRules(facts([], { unknownSinceMs: NOW - 6 * 60 * S }), s), 'no-data'), [{ active: true, pending: false, sinceMs: NOW - 60 * S, severity: 'ticket' }]);
  assert.deepEqual(pick(evaluateRules(facts([], { unknownSinceMs: null }), s), 'no-data'), [{ active: false, pending: false, sinceMs: null, severity: 'ticket' }]);
});

test('unknownSince(): from stored composite samples', () => {
  const o = { nowMs: NOW, staleAfterMs: STALE, lookbackMs: 6 * 60 * S, createdAtMs: NOW - 86_400_000 };
  const at = (ageS: number, status: 'up' | 'down' | 'unknown') => ({ atMs: NOW - ageS * S, status });
  assert.equal(unknownSince([at(30, 'up'), at(20, 'down'), at(10, 'up')], o), null);
  // Known until 40 s ago, unknown since the sample 30 s ago.
  assert.equal(unknownSince([at(40, 'up'), at(30, 'unknown'), at(20, 'unknown'), at(10, 'unknown')], o), NOW - 30 * S);
  // The collector stopped: the last (known) sample went stale 60 s after it was taken.
  assert.equal(unknownSince([at(200, 'up'), at(190, 'up')], o), NOW - 130 * S);
  // Nothing known in the window: since the window start …
  assert.equal(unknownSince([at(100, 'unknown')], o), NOW - 360 * S);
  // … or since registration, if that is later.
  assert.equal(unknownSince([], { ...o, createdAtMs: NOW - 90 * S }), NOW - 90 * S);
});

test('burn-rate rules follow the dashboard evaluation row by row (page and ticket tiers)', () => {
  const rows = burnRateWindows(30 * 86_400_000);
  // Error ratio 2 % in every window: 20× a 99.9 % budget → both page rows fire and both ticket rows.
  const hot = evaluateBurnAlerts(rows, 0.999, () => 0.02);
  const c = evaluateRules(facts([], { burn: hot }), settings());
  assert.deepEqual(pick(c, 'burn-rate-page'), [{ active: true, pending: false, sinceMs: null, severity: 'page' }]);
  assert.deepEqual(pick(c, 'burn-rate-ticket'), [{ active: true, pending: false, sinceMs: null, severity: 'ticket' }]);
  assert.match(c.find((x) => x.rule === 'burn-rate-page')!.summary, /^lab burns its error budget 20\.0× over 1h and 20\.0× over 5m \(threshold 14\.4×: 2 % of the budget in 1h\)$/);
  // 0.4 %: 4× — above the 1 d (3×) and 3 d (1×) ticket rows only.
  const warm = evaluateBurnAlerts(rows, 0.999, () => 0.004);
  const c2 = evaluateRules(facts([], { burn: warm }), settings());
  assert.deepEqual([pick(c2, 'burn-rate-page')[0]!.active, pick(c2, 'burn-rate-ticket')[0]!.active], [false, true]);
  // No data in a window: never fires.
  const none = evaluateBurnAlerts(rows, 0.999, () => null);
  assert.equal(pick(evaluateRules(facts([], { burn: none }), settings()), 'burn-rate-page')[0]!.active, false);
  // Switched off: not evaluated at all.
  assert.deepEqual(pick(evaluateRules(facts([], { burn: hot }), mergeSettings(settings(), { rules: { 'burn-rate-page': false } })), 'burn-rate-page'), []);
});

test('every condition carries the slo label of the policy that applies', () => {
  const pols = [{ component: '*', objective: 0.999, window: '30d' as const }, { component: 'dns', objective: 0.99, window: '30d' as const }, { component: 'control-plane', objective: 0.9995, window: 'month' as const }];
  const f = facts([{ probe: 'dns', target: 'kube-dns', recent: samples(['down', 'down', 'down']) }, { probe: 'apiserver-readyz', target: 'endpoint', recent: samples(['up']) }], { sloOf: (c) => sloOf('lab', pols, c) });
  const c = evaluateRules(f, settings());
  assert.equal(c.find((x) => x.rule === 'dns-down')!.labels.slo, 'lab-dns');
  assert.equal(c.find((x) => x.rule === 'component-down' && x.component === 'apiserver-readyz')!.labels.slo, 'lab-default');
  assert.equal(c.find((x) => x.rule === 'no-data')!.labels.slo, 'lab-control-plane');
  assert.equal(sloName('prod.eu_1', 'leader-election/kube-system/kube-scheduler'), 'prod-eu-1-leader-election-kube-system-kube-scheduler');
  assert.equal(sloName('lab', '*'), 'lab-default');
  const long = sloName('a'.repeat(60), 'control-plane');
  assert.equal(long.length, 63);
  assert.match(long, /^a{56}-[0-9a-f]{6}$/);
});

test('failover notices: all, or only measured gaps over the threshold (unobserved never guessed)', () => {
  const ev = (gapMs: number | null, kind: FailoverFact['kind']): FailoverFact => ({ dedupeKey: `k${gapMs}`, lease: 'kube-system/kube-scheduler', kind, previousHolder: 'cp1_a', newHolder: 'cp2_b', gapMs, leaseDurationSeconds: 8, atMs: NOW });
  const list = [ev(9250.5, 'crash'), ev(1200, 'graceful'), ev(null, 'unobserved')];
  const all = failoverNotices('lab', list, settings(), () => 'lab-default');
  assert.deepEqual(all.map((n) => n.summary), [
    'kube-scheduler failover on lab (crash): cp1_a → cp2_b, gap 9.25 s',
    'kube-scheduler failover on lab (graceful): cp1_a → cp2_b, gap 1.20 s',
    'kube-scheduler failover on lab (unobserved): cp1_a → cp2_b, gap not measured (the Lease watch was down)',
  ]);
  assert.deepEqual(all[0]!.labels, { lease: 'kube-system/kube-scheduler', kind: 'crash', slo: 'lab-default', gap_seconds: '9.251' });
  assert.equal(all[0]!.component, 'leader-election/kube-system/kube-scheduler');
  const over = failoverNotices('lab', list, settings({ failover: { mode: 'gap-over', minGapSeconds: 5 } }), () => 'x');
  assert.deepEqual(over.map((n) => n.eventKey), ['k9250.5']);
  assert.deepEqual(failoverNotices('lab', list, settings({ failover: { mode: 'off', minGapSeconds: 0 } }), () => 'x'), []);
});

test('settings: patch validation, merge, stored JSON with defaults field by field', () => {
  assert.equal(AlertSettingsPatch.safeParse({ forCycles: 0 }).success, false);
  assert.equal(AlertSettingsPatch.safeParse({ nope: 1 }).success, false);
  assert.equal(AlertSettingsPatch.safeParse({ rules: { 'no-such-rule': true } }).success, false);
  const m = mergeSettings(settings(), { forCycles: 2, failover: { minGapSeconds: 20 }, rules: { failover: false } });
  assert.deepEqual([m.forCycles, m.failover, m.rules.failover, m.rules['dns-down'], m.repeatIntervalMinutes], [2, { mode: 'all', minGapSeconds: 20 }, false, true, 240]);
  assert.deepEqual(parseStoredSettings(null), DEFAULT_ALERT_SETTINGS);
  assert.deepEqual(parseStoredSettings('not json'), DEFAULT_ALERT_SETTINGS);
  assert.equal(parseStoredSettings(JSON.stringify({ forCycles: 5 })).forCycles, 5);
});

test('maintenanceNow(): the window covering now, its own or fleet-wide, with its end', () => {
  const w = (clusterId: string | null, startMs: number, durationMs: number, recurrence: 'none' | 'daily' = 'none') => ({ clusterId, title: `w${startMs}`, startMs, durationMs, recurrence, untilMs: null });
  assert.deepEqual(maintenanceNow([w('c2', NOW - 1000, 60_000)], 'c1', NOW), null);
  assert.deepEqual(maintenanceNow([w(null, NOW - 1000, 60_000)], 'c1', NOW), { title: `w${NOW - 1000}`, endsAtMs: NOW + 59_000 });
  // Daily at 09:30 for an hour: covers 10:00 today.
  const daily = w('c1', Date.UTC(2026, 10, 1, 9, 30), 3_600_000, 'daily');
  assert.deepEqual(maintenanceNow([daily], 'c1', NOW), { title: daily.title, endsAtMs: Date.UTC(2026, 11, 1, 10, 30) });
  assert.deepEqual(maintenanceNow([w('c1', NOW, 1000)], 'c1', NOW - 1), null);
});
