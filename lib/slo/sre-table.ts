// The availability table from Google's "Site Reliability Engineering" book (Appendix A, Table A-1,
// "Availability table"): allowed unavailability per year, quarter, month, week, day and hour.
// The book's periods are 365-day years, 90-day quarters, 30-day months, 7-day weeks.
//
// SRE_BOOK_TABLE holds the book's cells verbatim. availabilityTableRow(target) computes the same
// row for any target, in exact milliseconds, and formats it with formatDuration. The computed
// figures agree with every printed cell to the precision the book prints it, except one: the book
// prints 99.999 % per day as "0.87 seconds"; the exact figure is 0.864 s (864 ms). Where the text
// differs (the book mixes styles: "7.20 minutes" but "7.2 hours", "12.96 minutes" but
// "52.6 minutes", "60.5 seconds", sub-second values in seconds), the test lists each cell.
import { formatDuration } from './format';
import { scaleByBudget, targetPercentLabel, validateTarget } from './targets';
import { DAY_MS, HOUR_MS } from './units';

export const SRE_TABLE_PERIODS = ['year', 'quarter', 'month', 'week', 'day', 'hour'] as const;
export type SreTablePeriod = (typeof SRE_TABLE_PERIODS)[number];

export const SRE_TABLE_PERIOD_MS = {
  year: 365 * DAY_MS,
  quarter: 90 * DAY_MS,
  month: 30 * DAY_MS,
  week: 7 * DAY_MS,
  day: DAY_MS,
  hour: HOUR_MS,
} as const satisfies Record<SreTablePeriod, number>;

export interface SreTableRow {
  target: number;
  /** "99.9 %" */
  label: string;
  /** Allowed bad time per period, exact ms (e.g. 99.9 % per 30-day month: 2,592,000). */
  allowedMs: Record<SreTablePeriod, number>;
  /** formatDuration(allowedMs[period]): "43.2 minutes". */
  formatted: Record<SreTablePeriod, string>;
}

export interface SreBookRow {
  target: number;
  /** As printed in the book's first column. */
  level: string;
  /** The book's cells, verbatim. */
  printed: Record<SreTablePeriod, string>;
}

export const SRE_BOOK_TABLE: readonly SreBookRow[] = [
  { target: 0.9, level: '90%', printed: { year: '36.5 days', quarter: '9 days', month: '3 days', week: '16.8 hours', day: '2.4 hours', hour: '6 minutes' } },
  { target: 0.95, level: '95%', printed: { year: '18.25 days', quarter: '4.5 days', month: '1.5 days', week: '8.4 hours', day: '1.2 hours', hour: '3 minutes' } },
  { target: 0.99, level: '99%', printed: { year: '3.65 days', quarter: '21.6 hours', month: '7.2 hours', week: '1.68 hours', day: '14.4 minutes', hour: '36 seconds' } },
  { target: 0.995, level: '99.5%', printed: { year: '1.83 days', quarter: '10.8 hours', month: '3.6 hours', week: '50.4 minutes', day: '7.20 minutes', hour: '18 seconds' } },
  { target: 0.999, level: '99.9%', printed: { year: '8.76 hours', quarter: '2.16 hours', month: '43.2 minutes', week: '10.1 minutes', day: '1.44 minutes', hour: '3.6 seconds' } },
  { target: 0.9995, level: '99.95%', printed: { year: '4.38 hours', quarter: '1.08 hours', month: '21.6 minutes', week: '5.04 minutes', day: '43.2 seconds', hour: '1.8 seconds' } },
  { target: 0.9999, level: '99.99%', printed: { year: '52.6 minutes', quarter: '12.96 minutes', month: '4.32 minutes', week: '60.5 seconds', day: '8.64 seconds', hour: '0.36 seconds' } },
  { target: 0.99999, level: '99.999%', printed: { year: '5.26 minutes', quarter: '1.30 minutes', month: '25.9 seconds', week: '6.05 seconds', day: '0.87 seconds', hour: '0.04 seconds' } },
];

const SRE_BOOK_TARGETS: readonly number[] = SRE_BOOK_TABLE.map((r) => r.target);

/** The book's row computed for any target: allowed bad time per year/quarter/month/week/day/hour. */
export function availabilityTableRow(target: number): SreTableRow {
  validateTarget(target);
  const allowedMs = {} as Record<SreTablePeriod, number>;
  const formatted = {} as Record<SreTablePeriod, string>;
  for (const period of SRE_TABLE_PERIODS) {
    allowedMs[period] = scaleByBudget(SRE_TABLE_PERIOD_MS[period], target);
    formatted[period] = formatDuration(allowedMs[period]);
  }
  return { target, label: targetPercentLabel(target), allowedMs, formatted };
}

/** availabilityTableRow for each of the book's eight levels, 90 % … 99.999 %. */
export function availabilityTable(targets: readonly number[] = SRE_BOOK_TARGETS): SreTableRow[] {
  return targets.map(availabilityTableRow);
}
