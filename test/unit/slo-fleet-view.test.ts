// Fleet filter, sort and counts (lib/slo/fleet-view.ts) and time ranges (lib/slo/range.ts): exact values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countStates, heatLevel, heatRuns, labelOptions, matchesFilter, parseBound, parseRange, presetRange, rangeLengthLabel, rangeParams, SloInputError, sortFleetRows, type FleetSortRow } from '@/lib/slo';

const row = (name: string, over: Partial<FleetSortRow>): FleetSortRow => ({ name, state: 'met', status: 'up', availability: 0.9999, budgetRemaining: 0.9, downtimeMs: 0, burnRate: 0, failovers: 0, lastOutageMs: null, ...over });

const FLEET = [
  row('met-b', { budgetRemaining: 0.8, failovers: 2, lastOutageMs: 100 }),
  row('new', { state: 'insufficient-data', availability: 0.99, budgetRemaining: null, downtimeMs: 25_000, burnRate: null }),
  row('never', { state: 'insufficient-data', status: null, availability: null, budgetRemaining: null, burnRate: null }),
  row('breached', { state: 'breached', status: 'down', availability: 0.998, budgetRemaining: -1.5, downtimeMs: 3_600_000, burnRate: 30, failovers: 5, lastOutageMs: 300 }),
  row('met-a', { budgetRemaining: 0.8 }),
  row('risky', { state: 'at-risk', availability: 0.9993, budgetRemaining: 0.1, burnRate: 2, failovers: 1, lastOutageMs: 200 }),
];
const names = (rows: FleetSortRow[]) => rows.map((r) => r.name);

test('sortFleetRows: worst state first; within a state least budget (most downtime) first; then name', () => {
  assert.deepEqual(names(sortFleetRows(FLEET)), ['breached', 'risky', 'new', 'never', 'met-a', 'met-b']);
  assert.deepEqual(names(sortFleetRows(FLEET, 'state', 'desc')), ['met-a', 'met-b', 'never', 'new', 'risky', 'breached']);
  assert.deepEqual(names(sortFleetRows(FLEET, 'name')), ['breached', 'met-a', 'met-b', 'never', 'new', 'risky']);
  assert.deepEqual(names(sortFleetRows(FLEET, 'availability', 'asc')), ['new', 'breached', 'risky', 'met-a', 'met-b', 'never'], 'never sampled last');
  assert.deepEqual(names(sortFleetRows(FLEET, 'availability', 'desc')), ['met-a', 'met-b', 'risky', 'breached', 'new', 'never'], 'missing last in both directions');
  assert.deepEqual(names(sortFleetRows(FLEET, 'budget', 'asc')), ['breached', 'risky', 'met-a', 'met-b', 'new', 'never'], 'unjudged budgets last, most downtime first');
  assert.deepEqual(names(sortFleetRows(FLEET, 'burn')), ['breached', 'risky', 'met-a', 'met-b', 'new', 'never']);
  assert.deepEqual(names(sortFleetRows(FLEET, 'failovers')), ['breached', 'met-b', 'risky', 'new', 'never', 'met-a']);
  assert.deepEqual(names(sortFleetRows(FLEET, 'outage')), ['breached', 'risky', 'met-b', 'new', 'never', 'met-a'], 'most recent first, never last');
  assert.deepEqual(names(sortFleetRows(FLEET, 'status')), ['breached', 'risky', 'new', 'met-a', 'met-b', 'never']);
  assert.deepEqual(countStates(FLEET), { breached: 1, 'at-risk': 1, 'insufficient-data': 2, met: 2 });
});

test('matchesFilter: name substring, label key or key=value, states', () => {
  const c = { name: 'Prod-EU', labels: { env: 'prod', team: 'sre' }, state: 'breached' as const };
  assert.equal(matchesFilter(c, {}), true);
  assert.equal(matchesFilter(c, { q: 'eu' }), true);
  assert.equal(matchesFilter(c, { q: 'us' }), false);
  assert.equal(matchesFilter(c, { label: 'env' }), true);
  assert.equal(matchesFilter(c, { label: 'env=prod' }), true);
  assert.equal(matchesFilter(c, { label: 'env=dev' }), false);
  assert.equal(matchesFilter(c, { label: 'toString' }), false, 'own labels only');
  assert.equal(matchesFilter(c, { states: ['breached', 'at-risk'] }), true);
  assert.equal(matchesFilter(c, { states: ['met'] }), false);
  assert.equal(matchesFilter({ name: 'x', labels: {} }, { states: ['met'] }), false, 'no state yet: only the unfiltered view');
  assert.deepEqual(labelOptions([{ labels: { env: 'prod' } }, { labels: { env: 'dev', a: '1' } }, { labels: { env: 'prod' } }]), ['a=1', 'env=dev', 'env=prod']);
});

test('time ranges: presets, ISO / epoch / now-Nh bounds, validation with clear messages', () => {
  const now = Date.UTC(2026, 11, 1, 12);
  assert.deepEqual(presetRange('30d', now), { startMs: now - 30 * 86_400_000, endMs: now, preset: '30d', relative: true, query: { window: '30d' } });
  assert.equal(parseBound('now', now, 'to'), now);
  assert.equal(parseBound('now-6h', now, 'from'), now - 6 * 3_600_000);
  assert.equal(parseBound('now-2w', now, 'from'), now - 14 * 86_400_000);
  assert.equal(parseBound('2026-11-20T10:00:00Z', now, 'from'), Date.UTC(2026, 10, 20, 10));
  assert.equal(parseBound('2026-11-20T11:00+01:00', now, 'from'), Date.UTC(2026, 10, 20, 10));
  assert.equal(parseBound(String(Date.UTC(2026, 10, 20)), now, 'from'), Date.UTC(2026, 10, 20));
  const r = parseRange('2026-11-20T10:00:00Z', '2026-11-20T12:30:00Z', now);
  assert.deepEqual(r, { startMs: Date.UTC(2026, 10, 20, 10), endMs: Date.UTC(2026, 10, 20, 12, 30), preset: null, relative: false, query: { from: '2026-11-20T10:00:00Z', to: '2026-11-20T12:30:00Z' } });
  assert.deepEqual(rangeParams(r), [['from', '2026-11-20T10:00:00Z'], ['to', '2026-11-20T12:30:00Z']]);
  assert.deepEqual(rangeParams(presetRange('7d', now)), [['window', '7d']]);
  assert.equal(parseRange('now-6h', 'now', now).relative, true);
  const bad = (from: string, to: string, message: RegExp) =>
    assert.throws(() => parseRange(from, to, now), (e: unknown) => e instanceof SloInputError && e.code === 'slo-time' && message.test(e.message), `${from} – ${to}`);
  bad('yesterday', 'now', /from must be an ISO time with a zone/);
  bad('2026-11-20T10:00:00', 'now', /from must be an ISO time with a zone/); // no zone: ambiguous
  bad('now', 'now-1h', /must be before to/);
  bad('now-30s', 'now', /from must be/); // seconds are not a unit
  bad('2026-11-20T10:00:00Z', '2026-11-20T10:00:30Z', /at least one minute/);
  bad('now-500d', 'now', /at most 400 days/);
  bad('2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z', /in the future/);
  assert.equal(rangeLengthLabel(30 * 86_400_000), '30 days');
  assert.equal(rangeLengthLabel(6 * 3_600_000), '6 hours');
  assert.equal(rangeLengthLabel(150 * 60_000), '2 hours 30 minutes');
  assert.equal(rangeLengthLabel(45 * 60_000), '45 minutes');
  assert.equal(rangeLengthLabel(50 * 3_600_000), '2 days 2 hours');
});

test('heatmap cells: met / below / bad / no data; met and no-data runs merge, others stay per bucket', () => {
  assert.equal(heatLevel(0.9995, 0.999), 'met');
  assert.equal(heatLevel(0.999, 0.999), 'met');
  assert.equal(heatLevel(0.998999, 0.999), 'below');
  assert.equal(heatLevel(0.99, 0.999), 'below', 'exactly 10 × the budget');
  assert.equal(heatLevel(0.989999, 0.999), 'bad');
  assert.equal(heatLevel(null, 0.999), 'nodata');
  const D = 86_400_000;
  const cells = [null, null, 1, 0.9999, 0.995, 0.5, 1, null].map((a, i) => ({ startMs: i * D, availability: a }));
  assert.deepEqual(heatRuns(cells, 0.999, 8 * D), [
    { startMs: 0, endMs: 2 * D, level: 'nodata', buckets: 2, availability: null },
    { startMs: 2 * D, endMs: 4 * D, level: 'met', buckets: 2, availability: 0.9999 },
    { startMs: 4 * D, endMs: 5 * D, level: 'below', buckets: 1, availability: 0.995 },
    { startMs: 5 * D, endMs: 6 * D, level: 'bad', buckets: 1, availability: 0.5 },
    { startMs: 6 * D, endMs: 7 * D, level: 'met', buckets: 1, availability: 1 },
    { startMs: 7 * D, endMs: 8 * D, level: 'nodata', buckets: 1, availability: null },
  ]);
});
