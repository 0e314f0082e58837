// Pure SLO math. No I/O; imports nothing outside lib/slo except lib/types. Ratios are 0–1; times are ms unless named otherwise.
export * from './errors';
export * from './units';
export * from './targets';
export * from './budget';
export * from './burn-rate';
export * from './format';
export * from './sre-table';
export * from './availability';
export * from './state';
export * from './buckets';
export * from './burn-down';
export * from './state-timeline';
export * from './fleet-view';
export * from './range';
