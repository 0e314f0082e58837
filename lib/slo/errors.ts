// Classified input errors for the SLO math. Every function in lib/slo validates its inputs and
// throws SloInputError (a RangeError) with a stable `code`, so callers (API routes, CLI, policy
// forms) can map bad input to a clear message without parsing text.

export type SloErrorCode =
  /** SLO target outside the open interval (0, 1), or not a finite number. */
  | 'slo-target'
  /** Unknown window id, or a window length that is not a positive whole number of ms. */
  | 'slo-window'
  /** A duration (good/bad/elapsed/period ms) that is negative, not finite, or inconsistent. */
  | 'slo-duration'
  /** A ratio outside 0–1, or not finite. */
  | 'slo-ratio'
  /** An invalid Date / timestamp. */
  | 'slo-time'
  /** A display option out of range (e.g. decimals). */
  | 'slo-format';

export class SloInputError extends RangeError {
  readonly code: SloErrorCode;
  constructor(code: SloErrorCode, message: string) {
    super(message);
    this.name = 'SloInputError';
    this.code = code;
  }
}

/** Throws `slo-duration` unless `ms` is a finite number ≥ 0. */
export function assertNonNegativeMs(name: string, ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new SloInputError('slo-duration', `${name} must be a finite number of milliseconds ≥ 0, got ${String(ms)}`);
  }
}

/** Throws `slo-duration` unless `ms` is a finite number > 0. */
export function assertPositiveMs(name: string, ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new SloInputError('slo-duration', `${name} must be a finite number of milliseconds > 0, got ${String(ms)}`);
  }
}

/** Throws `slo-ratio` unless `ratio` is a finite number in [0, 1]. */
export function assertRatio(name: string, ratio: number): void {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new SloInputError('slo-ratio', `${name} must be a ratio between 0 and 1, got ${String(ratio)}`);
  }
}
