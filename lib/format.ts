// Display helpers shared by server pages and client components. Pure, no I/O, no imports beyond types.
import type { Status } from './types';

/**
 * Availability ratio (0..1) as a percentage, rounded DOWN to two decimals so 99.999 % never shows as 100 %.
 * `null` (no samples in the window) renders as an em dash.
 */
export function formatAvailability(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const clamped = Math.min(1, Math.max(0, ratio));
  // The epsilon absorbs binary noise (0.9993 * 10000 = 9992.999…) without ever rounding up a real shortfall.
  const hundredths = Math.floor(clamped * 10000 + 1e-7);
  return `${(hundredths / 100).toFixed(2)} %`;
}

/** Coverage (share of the window that has samples), floored to whole percent. */
export function formatCoverage(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = Math.floor(Math.min(1, Math.max(0, ratio)) * 100 + 1e-7);
  return pct === 0 && ratio > 0 ? '< 1 %' : `${pct} %`;
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

/** "2026-11-26 19:20:05 UTC" — server and browser render the same text (no locale/timezone drift). */
export function formatTime(iso: string | Date | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return '—';
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`
  );
}

/** "HH:MM" in UTC, for chart axes. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
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
