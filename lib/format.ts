// Display helpers shared by server pages and client components. Pure, no I/O, no imports beyond types.
import { formatDuration, formatPercent } from './slo/format';
import { rangeLengthLabel } from './slo/range';
import type { BudgetView } from './slo/state';
import type { Status } from './types';

/**
 * THE percentage formatter of the UI is lib/slo/format.ts `formatPercent` (floored, never 100 % for a
 * ratio below 1, "< 0.01 %" for a sliver above 0). These two name its common uses.
 */
export { formatPercent } from './slo/format';

/** Availability ratio (0..1) as "99.93 %": formatPercent at two decimals, clamped to 0–100 %; null (no data) is "—". */
export function formatAvailability(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return formatPercent(Math.min(1, Math.max(0, ratio)), 2);
}

/** Coverage (share of the window that has samples) in whole percent: "99 %", a sliver "< 1 %". */
export function formatCoverage(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return formatPercent(Math.min(1, Math.max(0, ratio)), 0);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Where times are shown: "UTC" (the default) or an IANA zone the browser chose ("Europe/Berlin"),
 * remembered per browser in the `quorum-tz` cookie (components/time-zone-toggle.tsx), so the server
 * renders the same text the browser would: no flash, no hydration mismatch.
 */
export type DisplayZone = string;
export const UTC: DisplayZone = 'UTC';

/** True for "UTC" and any zone this runtime's ICU knows. */
export function isValidTimeZone(tz: unknown): tz is DisplayZone {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

interface ZonedParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  zoneName: string;
}

function zoned(ms: number, zone: DisplayZone): ZonedParts {
  if (zone === UTC) {
    const d = new Date(ms);
    return { year: String(d.getUTCFullYear()), month: pad(d.getUTCMonth() + 1), day: pad(d.getUTCDate()), hour: pad(d.getUTCHours()), minute: pad(d.getUTCMinutes()), second: pad(d.getUTCSeconds()), zoneName: 'UTC' };
  }
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value])) as Record<string, string>;
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second!, zoneName: parts.timeZoneName ?? zone };
}

function toMs(iso: string | Date | number): number {
  return typeof iso === 'number' ? iso : typeof iso === 'string' ? new Date(iso).getTime() : iso.getTime();
}

/** "2026-11-26 19:20:05 UTC", or in a chosen zone "2026-11-26 20:20:05 GMT+1"; null or invalid is "—". */
export function formatTime(iso: string | Date | number | null | undefined, zone: DisplayZone = UTC): string {
  if (iso === null || iso === undefined) return '—';
  const ms = toMs(iso);
  if (!Number.isFinite(ms)) return '—';
  const p = zoned(ms, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.zoneName}`;
}

/** A later time beside an earlier one (a run's last sample beside its first): "19:25:10" on the same day, else formatTime. */
export function formatTimeAfter(iso: string, earlierIso: string, zone: DisplayZone = UTC): string {
  const ms = toMs(iso);
  const e = toMs(earlierIso);
  if (!Number.isFinite(ms) || !Number.isFinite(e)) return formatTime(iso, zone);
  const a = zoned(e, zone);
  const b = zoned(ms, zone);
  return a.year === b.year && a.month === b.month && a.day === b.day ? `${b.hour}:${b.minute}:${b.second}` : formatTime(iso, zone);
}

/** "HH:MM" for chart axes, in the display zone. */
export function formatClock(ms: number, zone: DisplayZone = UTC): string {
  const p = zoned(ms, zone);
  return `${p.hour}:${p.minute}`;
}

/** "11-26" (month-day) for chart axes; with `clock` "11-26 19:20". */
export function formatDay(ms: number, zone: DisplayZone = UTC, clock = false): string {
  const p = zoned(ms, zone);
  return clock ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.month}-${p.day}`;
}

const TICK_STEPS_MS = [60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000, 1_209_600_000, 2_592_000_000];

/**
 * Round time-axis ticks inside [startMs, endMs]: the smallest step of 1/5/10/15/30 min, 1/2/3/6/12 h,
 * 1/2/7/14/30 days that gives at most `most` ticks, aligned on whole steps (of UTC). Recharts, left to
 * itself on a time scale, labels only where the data are (one tick, or none).
 */
export function timeTicks(startMs: number, endMs: number, most = 6): number[] {
  if (!(endMs > startMs) || most < 1) return [];
  const step = TICK_STEPS_MS.find((s) => (endMs - startMs) / s <= most) ?? TICK_STEPS_MS.at(-1)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(startMs / step) * step; t <= endMs; t += step) ticks.push(t);
  return ticks;
}

/** The value of a datetime-local input ("2026-11-26T19:20") for ms in the display zone. */
export function toDateTimeLocal(ms: number, zone: DisplayZone = UTC): string {
  const p = zoned(ms, zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A time range as text: "2026-11-20 10:00 – 12:30 UTC" (same day) or "2026-11-20 10:00 – 2026-11-21 09:00 UTC". */
export function formatRange(startMs: number, endMs: number, zone: DisplayZone = UTC): string {
  const a = zoned(startMs, zone);
  const b = zoned(endMs, zone);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  return `${a.year}-${a.month}-${a.day} ${a.hour}:${a.minute} – ${sameDay ? '' : `${b.year}-${b.month}-${b.day} `}${b.hour}:${b.minute} ${b.zoneName}`;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "—" for null. */
export function formatAge(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** Status text shown to people. `null` means no sample has been stored yet. */
export function statusLabel(status: Status | null | undefined): string {
  switch (status) {
    case 'up':
      return 'up';
    case 'degraded':
      return 'degraded';
    case 'down':
      return 'down';
    case 'unknown':
      return 'unknown';
    case null:
    case undefined:
      return 'no data yet';
    default: {
      const never: never = status;
      return String(never);
    }
  }
}

/** "env=prod, team=sre" */
export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Compact window length: "5m", "1h", "14m", "1d", "2d 12h". */
export function formatWindowShort(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 60) return `${m}m`;
  if (m % 1440 === 0) return `${m / 1440}d`;
  if (m < 1440) return m % 60 === 0 ? `${m / 60}h` : `${Math.floor(m / 60)}h ${m % 60}m`;
  const h = Math.round(m / 60);
  return h % 24 === 0 ? `${h / 24}d` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Burn rate as "0.00×", "14.4×"; null is "—". */
export function formatBurnRate(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
}

/** A failover gap (old leader's last renew → new leader's acquire): "9.25 s", "11.6 s"; null is "unknown", never a guess. */
export function formatGap(ms: number | null): string {
  if (ms === null) return 'unknown';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

// ---------------------------------------------------------------------------------------------
// Component names: THE one naming function. Ids stay machine ids everywhere (URLs, JSON, CSV,
// policies); people read these names.

const DEFAULT_PORT = /:(6443|443|53|2379)$/;

/** "10.213.0.12:6443" → "10.213.0.12"; "[fd00::1]:6443" → "fd00::1"; other ports stay. */
function host(target: string): string {
  const t = target.replace(DEFAULT_PORT, '');
  return t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
}

/**
 * The human name of a probe series or component:
 *   control-plane → "Control plane (composite)", apiserver-readyz → "API server endpoint /readyz",
 *   apiserver-replicas/10.213.0.12:6443 → "API server 10.213.0.12", apiserver-replicas/replicas →
 *   "API server replicas", leader-election/kube-system/kube-controller-manager → "kube-controller-manager
 *   Lease", dns/kube-dns → "CoreDNS (kube-dns)", dns/10.213.0.11:53 → "CoreDNS 10.213.0.11",
 *   dns/server:10.96.0.10:53 → "DNS server 10.96.0.10 (yours)", nodes/workers → "Worker nodes",
 *   etcd/etcd → "etcd cluster", etcd/https://10.213.0.11:2379 → "etcd endpoint 10.213.0.11".
 */
export function componentName(probe: string, target = 'endpoint'): string {
  const t = target === '' ? 'endpoint' : target;
  switch (probe) {
    case 'control-plane':
      return 'Control plane (composite)';
    case 'apiserver-readyz':
    case 'apiserver-livez': {
      const path = probe === 'apiserver-readyz' ? '/readyz' : '/livez';
      return t === 'endpoint' ? `API server endpoint ${path}` : `API server ${host(t)} ${path}`;
    }
    case 'apiserver-replicas':
      return t === 'replicas' || t === 'endpoint' ? 'API server replicas' : `API server ${host(t)}`;
    case 'leader-election': {
      const i = t.indexOf('/');
      const ns = i < 0 ? 'kube-system' : t.slice(0, i);
      const name = i < 0 ? t : t.slice(i + 1);
      return ns === 'kube-system' ? `${name} Lease` : `${name} Lease (${ns})`;
    }
    case 'dns':
      if (t === 'kube-dns' || t === 'endpoint') return 'CoreDNS (kube-dns)';
      if (t.startsWith('server:')) return `DNS server ${host(t.slice(7))} (yours)`;
      return `CoreDNS ${host(t)}`;
    case 'nodes':
      return 'Worker nodes';
    case 'etcd':
      if (t === 'etcd' || t === 'endpoint') return 'etcd cluster';
      if (t.startsWith('readyz:')) return `etcd via /readyz [${t.slice(7)}]`;
      return `etcd endpoint ${host(t.replace(/^[a-z]+:\/\//, ''))}`;
    default:
      return t === 'endpoint' ? probe : `${probe} ${t}`;
  }
}

/** componentName of a component id ("probe" or "probe/target", lib/slo/policy.ts componentId). */
export function componentLabel(id: string): string {
  const i = id.indexOf('/');
  return i < 0 ? componentName(id) : componentName(id.slice(0, i), id.slice(i + 1));
}

// ---------------------------------------------------------------------------------------------
// Error budgets as text (lib/slo/state.ts BudgetView). Never a percentage above 100 or below 0:
// an overspent budget says by how much, in time.

/** "per 30 days", "this calendar month", "in this range" — what the allowance is for. */
export function budgetPeriodLabel(windowMs: number, calendar: 'month' | 'quarter' | null = null): string {
  if (calendar) return `per calendar ${calendar}`;
  const days = windowMs / 86_400_000;
  if (Number.isInteger(days)) return `per ${days} day${days === 1 ? '' : 's'}`;
  return `in this ${formatDuration(windowMs)} range`;
}

export function budgetText(v: BudgetView, period: string): string {
  if (v.kind === 'absolute') return `${formatDuration(v.downtimeMs)} of downtime so far; ${formatDuration(v.allowedMs)} allowed ${period}`;
  if (v.remainingBadMs >= 0) return `${formatPercent(v.remainingFraction, 1)} left (${formatDuration(v.remainingBadMs)} of ${formatDuration(v.allowedBadMs)})`;
  return `overspent by ${formatDuration(-v.remainingBadMs)} (allowed ${formatDuration(v.allowedBadMs)})`;
}

/** "insufficient data: 12 % of the window covered (75 % needed); judged in 19.8 days at the earliest". */
export function coverageText(v: Extract<BudgetView, { kind: 'absolute' }>): string {
  const when = v.judgedInMs === null ? 'not before this window ends' : v.judgedInMs === 0 ? 'now' : `in ${formatDuration(v.judgedInMs)} at the earliest`;
  return `${formatCoverage(v.coverage)} of the window covered by data (${formatPercent(v.coverageFloor, 0)} needed); judged ${when}`;
}

/** The budget in a table cell: "62.3 % left", "overspent by 16.8 minutes", "25 seconds down, 43.2 minutes allowed". */
export function budgetShort(v: BudgetView): string {
  if (v.kind === 'absolute') return `${formatDuration(v.downtimeMs)} down, ${formatDuration(v.allowedMs)} allowed`;
  return v.remainingBadMs >= 0 ? `${formatPercent(v.remainingFraction, 1)} left` : `overspent by ${formatDuration(-v.remainingBadMs)}`;
}

/** "for 3 h", "for 12 s": how long a state has held (from its start to now). */
export function formatFor(sinceMs: number | null, nowMs: number): string {
  if (sinceMs === null) return '';
  return `for ${formatAge(new Date(sinceMs).toISOString(), nowMs).replace(/ ago$/, '')}`;
}

/** The id of an outage row (Outages tab, reports), linked from timelines and the fleet table. */
export function outageAnchor(component: string, startMs: number): string {
  return `outage-${component.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}-${startMs}`;
}

/** A page's range as a title: "last 30 days", "last 6 hours" (relative), or "2026-11-20 10:00 – 12:30 UTC". */
export function rangeTitle(range: { startMs: number; endMs: number; relative: boolean }, zone: DisplayZone = UTC): string {
  return range.relative ? `last ${rangeLengthLabel(range.endMs - range.startMs)}` : formatRange(range.startMs, range.endMs, zone);
}
