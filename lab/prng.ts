/**
 * Deterministic pseudo-random numbers (mulberry32) for generated test data: the same seed always gives the
 * same sequence, so `lab kwok add` builds the same cluster and the storage benchmark writes the same history.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
