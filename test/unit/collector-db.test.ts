// The collector against a database that hangs, fails or refuses, with the database calls replaced by
// promises the test controls (the probes are a fake too: this is about what the collector does with
// the database, not about clusters). What must hold: a cycle never waits on the database past its
// deadlines; the last good cluster list and the ENCRYPTED credential envelopes carry on — also in a
// new collector started while the database is down; a hung write is not retried beside itself and
// every record is written exactly once; only provably permanent refusals are dropped (and kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WRITE_BATCH_MAX, createCollector, type CollectorDeps, type RecordWriteOptions } from '@/lib/collector/collector';
import { DbError } from '@/lib/db/errors';
import { QuorumError } from '@/lib/errors';
import type { Probe } from '@/lib/probes/types';
import type { ClusterSummary, ProbeResult } from '@/lib/types';
import { tempDirs } from '../support/temp-dirs';

const tmp = tempDirs('quorum-collector-db');

const KUBECONFIG = 'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: k, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: very-secret-token}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n';
const cluster = (id: string): ClusterSummary => ({ id, name: id, server: 'https://127.0.0.1:1', context: 'c', labels: {}, settings: { leases: [], dnsServers: [] }, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z' });
/** A stand-in envelope: the kubeconfig XOR 0x5a (what matters is that the collector stores only what load() returned). */
const seal = (text: string): Uint8Array => new Uint8Array(Buffer.from(text).map((b) => b ^ 0x5a));
const unseal = (e: Uint8Array): string => Buffer.from(e.map((b) => b ^ 0x5a)).toString();

let clock = Date.parse('2026-12-01T10:00:00.000Z');
const nextClock = (): number => {
  clock += 1000;
  return clock;
};
/** One fake probe: one `up` sample per cluster per cycle, stamped with a distinct time. */
const probe: Probe = { id: 'apiserver-readyz', run: async () => [{ probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 1, at: nextClock() } satisfies ProbeResult] } as unknown as Probe;

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

function collectorWith(dir: string, over: Partial<CollectorDeps>, logs: Array<Record<string, unknown>> = []) {
  const deps: CollectorDeps = {
    listClusters: async () => [cluster('c1')],
    loadKubeconfig: async () => KUBECONFIG,
    credentialEnvelopes: { load: async () => seal(KUBECONFIG), open: (_id, e) => ({ kubeconfig: unseal(e) }) },
    insertSamples: async () => undefined,
    probes: [probe],
    now: Date.now,
    log: (l) => logs.push(l),
    bufferDir: dir,
    ...over,
  };
  return createCollector({ intervalSeconds: 10, probeTimeoutMs: 500, concurrency: 4, bufferLimit: 10_000, dbTimeoutMs: 300 }, deps);
}

test('a database that never answers the listing: the cycle probes the last good list, bounded, and says so', async () => {
  const dir = tmp();
  let hang = false;
  const col = collectorWith(dir, { listClusters: () => (hang ? never() : Promise.resolve([cluster('c1'), cluster('c2')])) });
  const first = await col.runOnce();
  assert.equal(first.clusters, 2);
  hang = true;
  const t = Date.now();
  const second = await col.runOnce();
  assert.ok(Date.now() - t < 5000, 'bounded by the deadlines, not by the database');
  assert.equal(second.clusters, 2, 'the clusters of the last good listing');
  assert.equal(second.clustersFromCache, true);
  assert.match(second.dbError ?? '', /^database timeout: listing the clusters: no answer within \d+ ms/);
  assert.equal(second.written, 2, 'the samples themselves still reach the (answering) writer');
  await col.stop();
});

test('restarted while the database is down: the new collector probes what the last one knew, from the encrypted envelopes on disk', async () => {
  const dir = tmp();
  const a = collectorWith(dir, {});
  await a.runOnce();
  await a.stop();
  const file = readFileSync(path.join(dir, 'known-clusters.json'), 'utf8');
  assert.ok(!file.includes('very-secret-token') && !file.includes('apiVersion'), 'no plaintext credentials on disk');
  assert.ok(file.includes(Buffer.from(seal(KUBECONFIG)).toString('base64')), 'the envelope exactly as the database stored it');

  const down = (): Promise<never> => Promise.reject(new DbError('unreachable', 'database unreachable: ECONNREFUSED 127.0.0.1:5432'));
  const written: ProbeResult[][] = [];
  let writable = false;
  const logs: Array<Record<string, unknown>> = [];
  const b = collectorWith(dir, {
    listClusters: down,
    credentialEnvelopes: { load: down, open: (_id, e) => ({ kubeconfig: unseal(e) }) },
    insertSamples: async (_id, results) => {
      if (!writable) throw new DbError('unreachable', 'database unreachable: ECONNREFUSED 127.0.0.1:5432');
      written.push(results);
    },
  }, logs);
  const s1 = await b.runOnce();
  assert.equal(s1.clusters, 1);
  assert.equal(s1.clustersFromCache, true);
  assert.equal(s1.samples, 1, 'probed with the cached credentials');
  assert.equal(s1.buffered, 1);
  assert.ok(logs.some((l) => l.event === 'credentials-from-cache'));
  writable = true;
  const s2 = await b.runOnce();
  assert.equal(s2.buffered, 0);
  assert.equal(written.flat().length, 2, 'both cycles written once the database is back');
  await b.stop();
});

test('a write that hangs: the cycle does not wait past its deadline, the record is not written beside itself, then exactly once', async () => {
  const dir = tmp();
  let release: ((e: unknown) => void) | undefined;
  const calls: Array<{ at: number[]; dedupe: boolean }> = [];
  let mode: 'hang' | 'ok' = 'hang';
  const col = collectorWith(dir, {
    insertSamples: (_id: string, results: ProbeResult[], opts: RecordWriteOptions) => {
      calls.push({ at: results.map((r) => r.at), dedupe: opts.dedupe });
      if (mode === 'hang') return new Promise((_, reject) => (release = reject));
      return Promise.resolve();
    },
  });
  const t = Date.now();
  const s1 = await col.runOnce();
  assert.ok(Date.now() - t < 5000);
  assert.equal(s1.written, 0);
  assert.equal(s1.buffered, 1);
  assert.match(s1.dbError ?? '', /database timeout: writing buffered record 1 .*no answer within 2300 ms|still running/);
  // The hung write is still in flight: the next cycle buffers, and does not start the same write again.
  const s2 = await col.runOnce();
  assert.equal(s2.buffered, 2);
  assert.equal(calls.length, 1, 'no second attempt while the first may still commit');
  assert.match(s2.dbError ?? '', /earlier write has been waiting/);
  // The database answers the hung write at last (an error: it did not commit); writes work again.
  mode = 'ok';
  release!(new DbError('timeout', 'Query read timeout'));
  await new Promise((r) => setImmediate(r));
  await col.flushEvents();
  assert.equal(col.buffer.pending, 0);
  assert.deepEqual(calls.map((c) => c.dedupe), [false, true, false], 'the retried record deduplicates; the next one is new');
  assert.deepEqual(calls.slice(1).flatMap((c) => c.at), [...new Set(calls.flatMap((c) => c.at))], 'each sample handed over once after the hang, in order');
  await col.stop();
});

test('refusals: transient ones keep the record (read-only, deadlock, an unknown error); an invalid record is dropped, counted and kept aside', async () => {
  const dir = tmp();
  const errors: unknown[] = [
    new DbError('read-only', 'database is read-only: cannot execute INSERT in a read-only transaction (25006)', { dbCode: '25006' }),
    new DbError('query', 'database error: something without a known code'),
    new DbError('deadlock', 'database deadlock (40P01)', { dbCode: '40P01' }),
  ];
  const logs: Array<Record<string, unknown>> = [];
  let n = 0;
  const col = collectorWith(dir, {
    insertSamples: async (id) => {
      if (id === 'bad') throw new QuorumError('invalid-input', 'sample status "sideways" is not one of up, degraded, down, unknown');
      const e = errors[n++];
      if (e) throw e;
    },
  }, logs);
  col.enqueue([{ kind: 'samples', clusterId: 'c1', payload: [{ probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 1, at: 1 }] }]);
  for (let i = 0; i < 2; i++) {
    await assert.rejects(col.flushEvents(), DbError);
    assert.equal(col.buffer.pendingRecords, 1, `kept after ${String(errors[i])}`);
  }
  // A deadlock is retried at once (the transaction was rolled back), and then it is written.
  await col.flushEvents();
  assert.equal(col.buffer.pendingRecords, 0);
  assert.ok(logs.some((l) => l.event === 'write-retry' && /deadlock/.test(String(l.error))));
  col.enqueue([{ kind: 'samples', clusterId: 'bad', payload: [{ probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: 1, at: 2 }] }]);
  await col.flushEvents();
  assert.equal(col.buffer.pendingRecords, 0);
  assert.equal(col.buffer.stats.rejected, 1);
  const kept = readFileSync(path.join(dir, 'rejected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { error: string; record: { clusterId: string } });
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!.record.clusterId, 'bad');
  assert.match(kept[0]!.error, /invalid-input: sample status "sideways"/);
  await col.stop();
});

test('batched writes: the records that waited go in one transaction (each cluster once, at most WRITE_BATCH_MAX); a failed batch is written one by one, a bad record rejected alone; an unreachable database keeps them all', async () => {
  const dir = tmp();
  const rec = (clusterId: string, at: number) => ({ kind: 'samples' as const, clusterId, payload: [{ probe: 'apiserver-readyz' as const, target: 'endpoint', status: 'up' as const, reason: 'ok', latencyMs: 1, at }] });
  const batches: string[][] = [];
  const alone: string[] = [];
  const failovers: string[] = [];
  let fail: unknown = null;
  const col = collectorWith(dir, {
    insertSamples: async (id) => {
      if (id === 'bad') throw new QuorumError('invalid-input', 'sample status "sideways" is not one of up, degraded, down, unknown');
      alone.push(id);
    },
    insertSampleBatches: async (list) => {
      if (fail) throw fail;
      if (list.some((b) => b.clusterId === 'bad')) throw new QuorumError('invalid-input', 'sample status "sideways" is not one of up, degraded, down, unknown');
      batches.push(list.map((b) => b.clusterId));
    },
    failovers: { insertFailovers: async (id) => void failovers.push(id), insertWatchGaps: async () => undefined },
  });
  // a b c, then b again (a second cycle of b ends the batch), a failover (not samples), then 60 clusters.
  col.buffer.append([rec('a', 1), rec('b', 2), rec('c', 3), rec('b', 4), { kind: 'failover', clusterId: 'a', payload: { lease: 'kube-system/kube-scheduler' } } as never, ...Array.from({ length: 60 }, (_x, i) => rec(`k${i}`, 10 + i))]);
  await col.flushEvents();
  assert.equal(col.buffer.pendingRecords, 0);
  assert.deepEqual(batches.map((b) => b.length), [3, WRITE_BATCH_MAX, 60 - WRITE_BATCH_MAX]);
  assert.deepEqual(batches[0], ['a', 'b', 'c']);
  // The second b was alone at the head before the failover: a group of one is written by itself.
  assert.deepEqual(alone, ['b']);
  assert.deepEqual(failovers, ['a']);
  assert.equal(col.buffer.stats.written, 65, '64 samples and the failover');

  // One bad record in the group: the batch fails, then each is written alone and only the bad one is rejected.
  batches.length = 0;
  alone.length = 0;
  col.buffer.append([rec('x', 100), rec('bad', 101), rec('y', 102)]);
  await col.flushEvents();
  assert.deepEqual(batches, []);
  assert.deepEqual(alone, ['x', 'y']);
  assert.equal(col.buffer.stats.rejected, 1);
  assert.equal(col.buffer.pendingRecords, 0);

  // The database unreachable: the flush fails at the batch, nothing is tried one by one, everything stays.
  fail = new DbError('unreachable', 'database unreachable: connect ECONNREFUSED 127.0.0.1:5432');
  alone.length = 0;
  col.buffer.append([rec('p', 200), rec('q', 201)]);
  await assert.rejects(col.flushEvents(), DbError);
  assert.deepEqual(alone, []);
  assert.equal(col.buffer.pendingRecords, 2);
  fail = null;
  await col.flushEvents();
  assert.deepEqual(batches.at(-1), ['p', 'q']);
  assert.equal(col.buffer.pendingRecords, 0);
  await col.stop();
});
