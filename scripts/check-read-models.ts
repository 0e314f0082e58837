// The dashboard's figures, read three ways over the same database and compared exactly (bench:dashboard
// runs it on its seeded fleet; `--no-server` runs only this, the small CI version):
//   1. the page's read model: getFleet (lib/data/fleet.ts) — over a calendar period as the reports' fleet
//      table asks for it, and over the overview's default 30 days;
//   2. the report: getReport (lib/data/reports.ts), per-cluster sections read through evaluatePeriod, for
//      the fleet and for each cluster alone;
//   3. the raw tier: every composite run of the period (listSamples: a row per run of equal results) through
//      lib/slo/runs runsAvailability, window by window outside maintenance, with the series' own cap.
//   4. the cluster page's Checks tab (getClusterDetail), its 24 h availability and coverage from raw runs.
// Returns one line per disagreement (none = all equal) and the number of values compared.
import { listClusters } from '@/lib/data/clusters';
import { getFleet } from '@/lib/data/fleet';
import { getClusterDetail } from '@/lib/data/overview';
import { getReport } from '@/lib/data/reports';
import { listSamples } from '@/lib/data/samples';
import { listMaintenanceWindows, listSeries, maintenanceRanges } from '@/lib/data/slo';
import { runsAvailability } from '@/lib/slo/runs';
import { COMPOSITE_COMPONENT, COMPOSITE_SOURCE } from '@/lib/slo/policy';
import { reportPeriodBounds, type ReportPeriod } from '@/lib/slo/targets';
import { presetRange } from '@/lib/slo/range';
import { subtractRanges } from '@/lib/slo/timeline';

export interface ReadModelCheck {
  periods: string[];
  clusters: number;
  compared: number;
  mismatches: string[];
}

function monthOf(ms: number, back: number): ReportPeriod {
  const d = new Date(ms);
  const m = d.getUTCFullYear() * 12 + d.getUTCMonth() - back;
  return { kind: 'month', year: Math.floor(m / 12), index: (m % 12) + 1 };
}

/** Raw good/bad ms of the composite series over [startMs, min(endMs, now)) minus maintenance, from its runs. */
async function rawComposite(clusterId: string, startMs: number, endMs: number, capMs: number, maint: ReadonlyArray<{ startMs: number; endMs: number }>): Promise<{ goodMs: number; badMs: number }> {
  const runs = (await listSamples({ clusterId, probe: COMPOSITE_SOURCE.probe, since: new Date(startMs - capMs), until: new Date(endMs), limit: 100_000 }))
    .filter((s) => s.target === COMPOSITE_SOURCE.target)
    .map((s) => ({ atMs: Date.parse(s.at), lastAtMs: Date.parse(s.lastAt), samples: s.samples, status: s.status }));
  if (runs.length === 100_000) throw new Error(`rawComposite: cluster ${clusterId} has 100,000 runs or more in the period; use a smaller fleet for the check`);
  let goodMs = 0;
  let badMs = 0;
  for (const w of subtractRanges({ startMs, endMs }, maint)) {
    if (w.endMs <= w.startMs) continue;
    const a = runsAvailability(runs, { startMs: w.startMs, endMs: w.endMs, capMs });
    goodMs += a.goodMs;
    badMs += a.badMs;
  }
  return { goodMs, badMs };
}

export async function checkReadModels(nowMs: number): Promise<ReadModelCheck> {
  const now = new Date(nowMs);
  const mismatches: string[] = [];
  let compared = 0;
  const same = (what: string, a: unknown, b: unknown): void => {
    compared++;
    if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${what}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  };
  const clusters = await listClusters();
  const series = new Map((await listSeries({ probe: COMPOSITE_SOURCE.probe, target: COMPOSITE_SOURCE.target })).map((s) => [s.clusterId, s]));
  const maintenance = await listMaintenanceWindows();
  const periods = [monthOf(nowMs, 1), monthOf(nowMs, 0)];
  for (const period of periods) {
    const b = reportPeriodBounds(period);
    const label = `${period.year}-${String(period.index).padStart(2, '0')}`;
    const elapsedEnd = Math.max(b.startMs, Math.min(b.endMs, nowMs));
    const [fleet, report] = await Promise.all([getFleet({ range: { startMs: b.startMs, endMs: b.endMs, calendar: period.kind }, now }), getReport({ clusterId: null, period, now })]);
    if (!report) throw new Error('the fleet report is missing');
    same(`${label}: clusters in the read model vs the report`, fleet.rows.length, report.clusters.length);
    let fleetGood = 0;
    let fleetBad = 0;
    for (const row of fleet.rows) {
      const id = row.cluster.id;
      const name = row.cluster.name;
      const section = report.clusters.find((c) => c.clusterId === id);
      const comp = section?.rows.find((r) => r.component === COMPOSITE_COMPONENT) ?? null;
      const slo = row.slo;
      same(`${label} ${name}: composite (read model vs report)`, slo && { availability: slo.availability, coverage: slo.coverage, goodMs: slo.goodMs, badMs: slo.badMs, unknownMs: slo.unknownMs, maintenanceMs: slo.maintenanceMs, allowedBadMs: slo.budget.allowedBadMs }, comp && { availability: comp.availability, coverage: comp.coverage, goodMs: comp.goodMs, badMs: comp.badMs, unknownMs: comp.unknownMs, maintenanceMs: comp.maintenanceMs, allowedBadMs: comp.allowedBadMs });
      same(`${label} ${name}: state (read model vs report)`, row.state, comp?.state ?? row.state);
      same(`${label} ${name}: budget view (read model vs report)`, row.budget, comp?.budget ?? row.budget);
      const fr = report.fleetRows.find((r) => r.clusterId === id);
      same(`${label} ${name}: report's fleet row vs read model`, fr && { state: fr.state, availability: fr.availability, badMs: fr.badMs, budget: fr.budget, failovers: fr.failovers }, { state: row.state, availability: slo?.availability ?? null, badMs: slo?.badMs ?? 0, budget: row.budget, failovers: row.failovers });
      same(`${label} ${name}: failovers (read model vs report)`, row.failovers, section?.failovers.events.length);
      const s = series.get(id);
      if (s && slo) {
        const raw = await rawComposite(id, b.startMs, elapsedEnd, s.capMs, maintenanceRanges(maintenance, id, { startMs: b.startMs, endMs: elapsedEnd }));
        same(`${label} ${name}: composite good/bad ms (rollups vs raw rows)`, { goodMs: slo.goodMs, badMs: slo.badMs }, raw);
        fleetGood += raw.goodMs;
        fleetBad += raw.badMs;
      }
    }
    same(`${label}: fleet good/bad ms (report vs raw rows)`, { goodMs: report.fleet.goodMs, badMs: report.fleet.badMs }, { goodMs: fleetGood, badMs: fleetBad });
    // One cluster's own report is its section of the fleet report.
    for (const c of clusters.slice(0, 3)) {
      const own = await getReport({ clusterId: c.id, period, now });
      same(`${label} ${c.name}: its own report vs its section of the fleet report`, own?.clusters[0], report.clusters.find((x) => x.clusterId === c.id));
    }
  }
  // The overview's default range (the last 30 days, as the page asks for it): read model vs raw rows.
  const range = presetRange('30d', nowMs);
  const overview = await getFleet({ range, now });
  same('30d: clusters in the overview', overview.rows.length, clusters.length);
  for (const row of overview.rows) {
    const s = series.get(row.cluster.id);
    if (!s || !row.slo) continue;
    const end = Math.min(range.endMs, nowMs);
    const raw = await rawComposite(row.cluster.id, range.startMs, end, s.capMs, maintenanceRanges(maintenance, row.cluster.id, { startMs: range.startMs, endMs: end }));
    same(`30d ${row.cluster.name}: composite good/bad ms (overview read model vs raw rows)`, { goodMs: row.slo.goodMs, badMs: row.slo.badMs }, raw);
  }
  // The cluster page's Checks tab (getClusterDetail: its own 24 h figure from raw runs) vs the read model
  // over the same 24 h, for clusters without maintenance in it (the tab does not leave maintenance out).
  const day = { startMs: nowMs - 86_400_000, endMs: nowMs };
  const daily = await getFleet({ range: day, now });
  for (const row of daily.rows) {
    if (!row.slo || maintenanceRanges(maintenance, row.cluster.id, day).length > 0) continue;
    const d = await getClusterDetail(row.cluster.id, { now });
    same(`24h ${row.cluster.name}: Checks tab vs read model (availability, coverage)`, d && { availability: d.availability24h, coverage: d.coverage24h }, { availability: row.slo.availability, coverage: row.slo.coverage });
  }
  return { periods: [...periods.map((p) => `${p.year}-${String(p.index).padStart(2, '0')}`), '30d', '24h'], clusters: clusters.length, compared, mismatches };
}
