// Pure SLO math. No I/O, no imports outside lib/slo. Ratios are 0–1; times are ms unless named otherwise.
// Time-based availability from samples lives in ./availability (exported from there directly).
export * from './errors';
export * from './units';
export * from './targets';
export * from './budget';
export * from './burn-rate';
export * from './format';
export * from './sre-table';
