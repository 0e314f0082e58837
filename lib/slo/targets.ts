// SLO targets and SLO windows (pure).
//
// A target is a ratio in the open interval (0, 1): 0.999 means "99.9 % of eligible time is good".
// The error budget ratio is 1 − target. Binary floating point gets that wrong in the last digit
// (1 − 0.999 = 0.0010000000000000009), which would leak into every exact table, so the budget is
// kept as a decimal fraction numerator / 10^decimals (0.999 → 1 / 1000) and callers multiply
// first and divide last (`scaleByBudget`).
//
// Windows: rolling 7/28/30/90 days end at `now`; calendar month/quarter are UTC periods
// [start of period, start of next period) that contain `now`, so February 2024 lasts 29 days and
// Q1 2025 lasts 90 days (31 + 28 + 31).
import { SloInputError } from './errors';
import { DAY_MS } from './units';

// ---------------------------------------------------------------------------------------------
// Targets

/** Throws `slo-target` unless 0 < target < 1 (100 % leaves no budget; 0 % is no objective). */
export function validateTarget(target: number): number {
  if (typeof target !== 'number' || !Number.isFinite(target) || target <= 0 || target >= 1) {
    throw new SloInputError('slo-target', `SLO target must be a ratio strictly between 0 and 1 (e.g. 0.999 for 99.9 %), got ${String(target)}`);
  }
  return target;
}

export function isValidTarget(target: unknown): target is number {
  return typeof target === 'number' && Number.isFinite(target) && target > 0 && target < 1;
}

/** 1 − target as an exact decimal fraction: 0.999 → { numerator: 1, denominator: 1000 }. */
export interface BudgetFraction {
  numerator: number;
  denominator: number;
}

const MAX_TARGET_DECIMALS = 12;

/**
 * The error budget ratio 1 − target as numerator / 10^d, where d is the number of decimals the
 * target is written with (at most 12). A target with no short decimal form (e.g. 2/3) falls back to
 * the plain float 1 − target over 1.
 */
export function budgetFraction(target: number): BudgetFraction {
  validateTarget(target);
  for (let decimals = 1; decimals <= MAX_TARGET_DECIMALS; decimals++) {
    if (Number(target.toFixed(decimals)) === target) {
      const denominator = 10 ** decimals;
      return { numerator: denominator - Math.round(target * denominator), denominator };
    }
  }
  return { numerator: 1 - target, denominator: 1 };
}

/** 1 − target, correctly rounded: errorBudgetRatio(0.999) === 0.001 (not 0.0010000000000000009). */
export function errorBudgetRatio(target: number): number {
  const { numerator, denominator } = budgetFraction(target);
  return numerator / denominator;
}

/** value × (1 − target), multiplying first and dividing last: scaleByBudget(2_592_000_000, 0.999) === 2_592_000. */
export function scaleByBudget(value: number, target: number): number {
  const { numerator, denominator } = budgetFraction(target);
  return (value * numerator) / denominator;
}

/** value ÷ (1 − target), e.g. an error ratio divided by the budget ratio gives the burn rate. */
export function divideByBudget(value: number, target: number): number {
  const { numerator, denominator } = budgetFraction(target);
  return (value * denominator) / numerator;
}

/** The target as written, in percent, never rounded: 0.999 → "99.9 %", 0.9995 → "99.95 %", 0.99999 → "99.999 %". */
export function targetPercentLabel(target: number): string {
  const { numerator, denominator } = budgetFraction(target);
  if (denominator === 1) return `${String(target * 100)} %`;
  // percent = (denominator − numerator) / denominator × 100, printed from integers (no float noise).
  const decimals = String(denominator).length - 1 - 2; // denominator is 10^d
  const scaled = denominator - numerator; // target × 10^d as an integer
  if (decimals <= 0) return `${scaled * 10 ** -decimals} %`;
  const digits = String(scaled).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return frac ? `${whole}.${frac} %` : `${whole} %`;
}

// ---------------------------------------------------------------------------------------------
// Windows

export const ROLLING_WINDOWS = ['7d', '28d', '30d', '90d'] as const;
export const CALENDAR_WINDOWS = ['month', 'quarter'] as const;
export const SLO_WINDOWS = [...ROLLING_WINDOWS, ...CALENDAR_WINDOWS] as const;

export type RollingWindow = (typeof ROLLING_WINDOWS)[number];
export type CalendarWindow = (typeof CALENDAR_WINDOWS)[number];
/** URL/config id of an SLO window, as in `?window=30d`. */
export type SloWindow = RollingWindow | CalendarWindow;

const ROLLING_WINDOW_DAYS = { '7d': 7, '28d': 28, '30d': 30, '90d': 90 } as const satisfies Record<RollingWindow, number>;

export const SLO_WINDOW_LABELS = {
  '7d': 'rolling 7 days',
  '28d': 'rolling 28 days',
  '30d': 'rolling 30 days',
  '90d': 'rolling 90 days',
  month: 'calendar month',
  quarter: 'calendar quarter',
} as const satisfies Record<SloWindow, string>;

export function isSloWindow(value: unknown): value is SloWindow {
  return typeof value === 'string' && (SLO_WINDOWS as readonly string[]).includes(value);
}

export function isCalendarWindow(window: SloWindow): window is CalendarWindow {
  return window === 'month' || window === 'quarter';
}

/** Throws `slo-window` for anything but 7d, 28d, 30d, 90d, month, quarter. */
export function parseSloWindow(value: string): SloWindow {
  if (isSloWindow(value)) return value;
  throw new SloInputError('slo-window', `unknown SLO window ${JSON.stringify(value)}; expected one of ${SLO_WINDOWS.join(', ')}`);
}

export interface WindowBounds {
  window: SloWindow;
  /** Inclusive start (ms since epoch, UTC). */
  startMs: number;
  /** Exclusive end: `now` for rolling windows, the start of the next period for calendar windows. */
  endMs: number;
  /** Full length of the window: endMs − startMs. */
  durationMs: number;
  /** How much of the window has passed at `now`: durationMs for rolling windows, now − startMs for calendar ones. */
  elapsedMs: number;
}

function nowMs(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new SloInputError('slo-time', `now must be a valid Date, got ${String(now)}`);
  return ms;
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < 1970 || year > 9999) {
    throw new SloInputError('slo-time', `year must be a whole number between 1970 and 9999, got ${String(year)}`);
  }
}

/** Calendar month in UTC, month 1–12: calendarMonthBounds(2024, 2) lasts 29 days. */
export function calendarMonthBounds(year: number, month: number): { startMs: number; endMs: number; durationMs: number } {
  assertYear(year);
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new SloInputError('slo-time', `month must be a whole number 1–12, got ${String(month)}`);
  }
  const startMs = Date.UTC(year, month - 1, 1);
  const endMs = Date.UTC(year, month, 1); // Date.UTC rolls month 12 over to January of year + 1
  return { startMs, endMs, durationMs: endMs - startMs };
}

/** Calendar quarter in UTC, quarter 1–4 (Q1 = Jan–Mar): 90, 91, 92 or 92 days (Q1 is 91 in leap years). */
export function calendarQuarterBounds(year: number, quarter: number): { startMs: number; endMs: number; durationMs: number } {
  assertYear(year);
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) {
    throw new SloInputError('slo-time', `quarter must be a whole number 1–4, got ${String(quarter)}`);
  }
  const startMs = Date.UTC(year, (quarter - 1) * 3, 1);
  const endMs = Date.UTC(year, quarter * 3, 1);
  return { startMs, endMs, durationMs: endMs - startMs };
}

/** The window that contains `now` (see WindowBounds). */
export function windowBounds(window: SloWindow, now: Date): WindowBounds {
  const t = nowMs(now);
  switch (window) {
    case '7d':
    case '28d':
    case '30d':
    case '90d': {
      const durationMs = ROLLING_WINDOW_DAYS[window] * DAY_MS;
      return { window, startMs: t - durationMs, endMs: t, durationMs, elapsedMs: durationMs };
    }
    case 'month': {
      const d = new Date(t);
      const b = calendarMonthBounds(d.getUTCFullYear(), d.getUTCMonth() + 1);
      return { window, ...b, elapsedMs: t - b.startMs };
    }
    case 'quarter': {
      const d = new Date(t);
      const b = calendarQuarterBounds(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) + 1);
      return { window, ...b, elapsedMs: t - b.startMs };
    }
    default: {
      const never: never = window;
      throw new SloInputError('slo-window', `unknown SLO window ${JSON.stringify(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report periods: a calendar month ("2026-10") or quarter ("2026-Q4"), UTC.

export type ReportPeriodKind = 'month' | 'quarter';

export interface ReportPeriod {
  kind: ReportPeriodKind;
  year: number;
  /** Month 1–12 or quarter 1–4. */
  index: number;
}

/** "2026-10" → October 2026, "2026-Q4" → Q4 2026; throws `slo-time` otherwise. */
export function parseReportPeriod(text: string): ReportPeriod {
  const m = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/i.exec(text.trim());
  if (!m) throw new SloInputError('slo-time', `report period ${JSON.stringify(text)} must look like 2026-10 (a month) or 2026-Q4 (a quarter)`);
  const year = Number(m[1]);
  assertYear(year);
  return m[2] ? { kind: 'month', year, index: Number(m[2]) } : { kind: 'quarter', year, index: Number(m[3]) };
}

/** The inverse of parseReportPeriod: "2026-10" or "2026-Q4". */
export function formatReportPeriod(p: ReportPeriod): string {
  return p.kind === 'month' ? `${p.year}-${String(p.index).padStart(2, '0')}` : `${p.year}-Q${p.index}`;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** "October 2026", "Q4 2026 (October–December)". */
export function reportPeriodLabel(p: ReportPeriod): string {
  if (p.kind === 'month') return `${MONTH_NAMES[p.index - 1]} ${p.year}`;
  return `Q${p.index} ${p.year} (${MONTH_NAMES[(p.index - 1) * 3]}–${MONTH_NAMES[(p.index - 1) * 3 + 2]})`;
}

/** UTC bounds of a report period. */
export function reportPeriodBounds(p: ReportPeriod): { startMs: number; endMs: number; durationMs: number } {
  return p.kind === 'month' ? calendarMonthBounds(p.year, p.index) : calendarQuarterBounds(p.year, p.index);
}

/** The period containing `now` (UTC). */
export function currentReportPeriod(kind: ReportPeriodKind, now: Date): ReportPeriod {
  const t = nowMs(now);
  const d = new Date(t);
  return kind === 'month' ? { kind, year: d.getUTCFullYear(), index: d.getUTCMonth() + 1 } : { kind, year: d.getUTCFullYear(), index: Math.floor(d.getUTCMonth() / 3) + 1 };
}
