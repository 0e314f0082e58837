import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DiskBuffer } from '@/lib/collector/buffer';
import { decodeLine, encodeLine, type BufferRecord, type NewRecord } from '@/lib/collector/buffer-codec';
import { QuorumError } from '@/lib/errors';
import { cronExpression, loadEnv } from '@/lib/env';
import { mapLimit } from '@/lib/collector/run';
import type { ProbeResult } from '@/lib/types';
import { tempDirs } from '../support/temp-dirs';

const sample = (i: number): ProbeResult => ({ probe: 'apiserver-readyz', target: 'endpoint', status: 'up', reason: 'ok', latencyMs: i, at: i });

test('cron expressions for intervals that divide a minute or an hour; others refused', () => {
  assert.equal(cronExpression(10), '*/10 * * * * *');
  assert.equal(cronExpression(60), '0 */1 * * * *');
  assert.equal(cronExpression(300), '0 */5 * * * *');
  assert.throws(() => cronExpression(7), /must divide a minute/);
  assert.throws(() => loadEnv({ QUORUM_COLLECTOR_INTERVAL_SECONDS: 'ten' }), /QUORUM_COLLECTOR_INTERVAL_SECONDS=ten is invalid/);
  assert.throws(() => loadEnv({ QUORUM_COLLECTOR_INTERVAL_SECONDS: '7' }), /must divide a minute/);
  assert.deepEqual(loadEnv({}).collector, { intervalSeconds: 10, probeTimeoutMs: 5000, concurrency: 16, bufferLimit: 100000, bufferBytes: 64 * 1024 * 1024, objectLimit: 200_000 });
});

const tmp = tempDirs('quorum-buffer');
const rec = (clusterId: string, n: number, base = 0): NewRecord => ({ kind: 'samples', clusterId, payload: Array.from({ length: n }, (_, j) => sample(base + j)) });
const open = (dir: string, over: Partial<Parameters<typeof DiskBuffer.open>[0]> = {}) => DiskBuffer.open({ dir, maxBytes: 1 << 20, maxWeight: 1000, ...over });
const segments = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('seg-')).sort();

test('DiskBuffer keeps order, stops at the first failed write, drops the oldest past its bound and counts it', async () => {
  const dir = tmp();
  const b = open(dir);
  b.append([rec('c0', 400), rec('c1', 400), rec('c2', 400)]);
  assert.equal(b.pending, 800);
  assert.equal(b.dropped, 400);
  const seen: string[] = [];
  let fail = true;
  await assert.rejects(b.flush(async (x) => { if (fail && x.clusterId === 'c2') throw new Error('db down'); seen.push(x.clusterId); }), /db down/);
  assert.deepEqual(seen, ['c1']);
  assert.equal(b.pending, 400);
  fail = false;
  const flags: boolean[] = [];
  assert.equal(await b.flush(async (x, info) => { seen.push(x.clusterId); flags.push(info.maybeWritten); }), 400);
  assert.deepEqual(seen, ['c1', 'c2']);
  assert.deepEqual(flags, [true], 'a record whose write failed may have committed: the retry must dedupe');
  assert.equal(b.pending, 0);
  assert.deepEqual(segments(dir), [], 'fully acknowledged segments are deleted');
  b.close();
});

test('DiskBuffer: a new process replays exactly the unacknowledged records, in order, marked maybeWritten', async () => {
  const dir = tmp();
  const a = open(dir);
  a.append([rec('a', 2), rec('b', 3)]);
  await a.flush(async () => undefined); // a and b acknowledged
  a.append([rec('c', 1, 10), rec('d', 2, 20)]);
  // Simulate a crash: `a` is never closed (its lock names this pid, which the same process may take over).
  const b = open(dir);
  assert.equal(b.stats.replayed, 2);
  const got: Array<[string, number[], boolean]> = [];
  await b.flush(async (x, info) => { got.push([x.clusterId, x.kind === 'samples' ? x.payload.map((s) => s.at) : [], info.maybeWritten]); });
  assert.deepEqual(got, [['c', [10], true], ['d', [20, 21], true]]);
  // Sequence numbers continue after a restart; a third process replays nothing.
  const seqs = b.append([rec('e', 1)]);
  assert.equal(seqs[0], 5);
  await b.flush(async () => undefined);
  b.close();
  const c = open(dir);
  assert.equal(c.stats.replayed, 0);
  assert.equal(c.pendingRecords, 0);
  c.close();
});

test('DiskBuffer skips and counts corrupted and truncated lines, never throws, and keeps the intact ones', async () => {
  const dir = tmp();
  const a = open(dir);
  a.append([rec('ok1', 1), rec('ok2', 1)]);
  a.close();
  const [seg] = segments(dir);
  const file = path.join(dir, seg!);
  const good = readFileSync(file, 'utf8');
  const lines = good.trimEnd().split('\n');
  const tampered = lines[1]!.replace('"ok2"', '"ok3"'); // crc no longer matches
  const valid3 = encodeLine({ seq: 3, kind: 'samples', clusterId: 'ok4', at: 1, payload: [sample(4)] });
  const wrongKind = encodeLine({ seq: 4, kind: 'nonsense', clusterId: 'x', at: 1, payload: [] } as unknown as BufferRecord);
  writeFileSync(file, `${lines[0]}\nnot json at all\n${tampered}\n${wrongKind}${valid3}{"seq":5,"kind":"sam`);
  const b = open(dir);
  assert.equal(b.stats.corrupt, 4, 'not json, crc mismatch, unknown kind, truncated tail');
  const got: string[] = [];
  await b.flush(async (x) => { got.push(x.clusterId); });
  assert.deepEqual(got, ['ok1', 'ok4']);
  // Appends after a replay go to a fresh segment, never after a cut-off line.
  b.append([rec('next', 1)]);
  assert.equal(segments(dir).length, 1);
  assert.equal(decodeLine(readFileSync(path.join(dir, segments(dir)[0]!), 'utf8').trimEnd())?.clusterId, 'next');
  b.close();
  writeFileSync(path.join(dir, 'ack'), 'garbage');
  const c = open(dir);
  assert.ok(c.stats.corrupt >= 1);
  c.close();
});

test('DiskBuffer bounds bytes too, drops oldest; rejects a poison record after the allowed attempts', async () => {
  const dir = tmp();
  const one = Buffer.byteLength(encodeLine({ seq: 1, kind: 'samples', clusterId: 'c', at: Date.now(), payload: [sample(0)] }));
  const b = open(dir, { maxBytes: one * 3 + 10, maxWeight: 1_000_000 });
  b.append([rec('a', 1), rec('b', 1), rec('c', 1), rec('d', 1)]);
  assert.equal(b.pendingRecords, 3);
  assert.equal(b.stats.droppedRecords, 1);
  let calls = 0;
  const perm = (_e: unknown, attempts: number): boolean => attempts >= 2;
  await assert.rejects(b.flush(async (x) => { calls++; if (x.clusterId === 'b') throw new Error('refused'); }, perm));
  const after: string[] = [];
  await b.flush(async (x) => { if (x.clusterId === 'b') throw new Error('refused'); after.push(x.clusterId); }, perm);
  assert.equal(calls, 1);
  assert.deepEqual(after, ['c', 'd']);
  assert.equal(b.stats.rejected, 1);
  b.close();
});

test('DiskBuffer: one live process per folder (an OS lock: refused while another process holds it, free the moment it is kill -9ed); an unusable folder buffers in memory', async () => {
  const dir = tmp();
  // A pid file naming a live process (this test's parent) is no lock any more: pids are reused.
  writeFileSync(path.join(dir, 'lock'), `${process.ppid}\n`);
  const a = open(dir);
  a.close();
  // Another process takes the folder's lock and keeps it.
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import { DirLock } from '@/lib/collector/buffer-lock'; DirLock.acquire(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => undefined, 1000);`], { cwd: path.resolve(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    holder.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  assert.throws(() => open(dir), (e: unknown) => e instanceof QuorumError && e.errorClass === 'internal' && new RegExp(`in use .*held by process ${holder.pid} `).test(e.message));
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  const b = open(dir);
  b.close();
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'x');
  const logs: Array<Record<string, unknown>> = [];
  const m = open(path.join(file, 'sub'), { log: (l) => logs.push(l) });
  assert.equal(m.memoryOnly, true);
  m.append([rec('x', 2)]);
  assert.equal(m.pending, 2);
  assert.equal(await m.flush(async () => undefined), 2);
  assert.equal(logs[0]?.event, 'buffer-memory-only');
});

test('mapLimit never runs more than the limit at once and keeps input order', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, n * 3));
    inFlight--;
    return n * 10;
  });
  assert.equal(peak, 2);
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
});
