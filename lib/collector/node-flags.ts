/**
 * V8 flags the collector process runs with (scripts/start.ts, `npm run collector` in package.json, the
 * benchmark): a 4 MiB young generation. Following thousands of watched objects allocates fast (a
 * 50,000-pod first list is ≈ 450 MB of JSON parsed line by line); with V8's default (up to 16 MiB
 * semi-spaces) that grew the process's RSS by ≈ 75 MiB per 10,000 pods listed, with 4 MiB by ≈ 15 MiB
 * and no more CPU (measured during development with a one-off script against the kwok lab, not a kept
 * benchmark; `npm run bench:collector -- --dimension size` runs with these flags and reports the RSS).
 */
export const COLLECTOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
