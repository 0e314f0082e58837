import type { ProbeResult } from '../types';

export interface PendingBatch {
  clusterId: string;
  results: ProbeResult[];
}

/**
 * Holds samples the database did not accept yet, bounded by sample count (oldest dropped first,
 * and counted, so a long outage is visible in the logs instead of growing memory without bound).
 * Written in order on the next successful cycle.
 */
export class SampleBuffer {
  private batches: PendingBatch[] = [];
  private size = 0;
  dropped = 0;
  constructor(private readonly limit: number) {}

  push(batch: PendingBatch): void {
    if (batch.results.length === 0) return;
    this.batches.push(batch);
    this.size += batch.results.length;
    while (this.size > this.limit && this.batches.length > 0) {
      const old = this.batches.shift()!;
      this.size -= old.results.length;
      this.dropped += old.results.length;
    }
  }

  get pending(): number {
    return this.size;
  }

  /** Writes every buffered batch through `write`, in order; stops at the first failure and keeps the rest. */
  async flush(write: (b: PendingBatch) => Promise<void>): Promise<number> {
    let written = 0;
    while (this.batches.length > 0) {
      const b = this.batches[0]!;
      await write(b);
      this.batches.shift();
      this.size -= b.results.length;
      written += b.results.length;
    }
    return written;
  }
}
