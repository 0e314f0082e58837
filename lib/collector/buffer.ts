// The collector's write-ahead buffer: every record (a cluster's samples of one cycle, a failover
// event, …) is appended to an fsync'd JSONL segment in <dataDir>/collector-buffer/ BEFORE the
// database sees it, and acknowledged (a small `ack` file holding the highest finished sequence
// number) after the database accepted it (rewritten every 256 records and at the end of a flush). So:
//   - a DB outage loses nothing: records stay on disk (bounded) and are written in order when the
//     DB is back;
//   - a collector restart (or crash) replays what is on disk and not yet acknowledged;
//   - delivery to the writer is at-least-once: a crash between the DB commit and the ack replays
//     the record. Records read back from disk (or whose write failed) are handed to the writer with
//     `maybeWritten: true`, and the writer must be idempotent for those (samples: see
//     lib/data/samples.ts insertSamples({dedupe}) — the natural key clusterId+probe+target+at).
//     At-least-once delivery + an idempotent writer = each sample stored exactly once.
//   - bounded by bytes and by weight (samples); beyond either the OLDEST records are dropped and
//     counted (`dropped`), never the newest;
//   - a corrupted or truncated line (crc32 mismatch, bad JSON, unknown kind, cut-off tail) is skipped
//     and counted (`corrupt`), never a crash; a disk that refuses writes (ENOSPC, EACCES, EROFS)
//     keeps records in memory only (same bound) and counts `diskErrors`.
// Split along its seams: the line format and record kinds are lib/collector/buffer-codec.ts, the
// one-process-per-folder pid lock is lib/collector/buffer-lock.ts; this file is the queue itself
// (segments, ack, bounds, flush).
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { QuorumError, describeError } from '../errors';
import { decodeLine, encodeLine, isObj, recordWeight, type BufferRecord, type NewRecord } from './buffer-codec';
import { DirLock } from './buffer-lock';

export interface DiskBufferOptions {
  /** Folder of the segments, ack and lock files (created 0700). */
  dir: string;
  /** Bound on buffered bytes (serialized lines); oldest dropped beyond it. */
  maxBytes: number;
  /** Bound on buffered weight (samples + events); oldest dropped beyond it. */
  maxWeight: number;
  /** A segment is closed and a new one started past this size (default min(8 MiB, maxBytes/8)). */
  segmentBytes?: number;
  now?: () => number;
  log?: (line: Record<string, unknown>) => void;
}

export interface BufferStats {
  /** Buffered records / their weight (samples + events) / their bytes on disk. */
  pendingRecords: number;
  pending: number;
  pendingBytes: number;
  /** Weight dropped (oldest first) because a bound was reached, since this process opened the buffer. */
  dropped: number;
  droppedRecords: number;
  /** Lines skipped on replay: crc mismatch, not JSON, unknown kind or shape, truncated tail. */
  corrupt: number;
  /** Records replayed from disk when this process opened the buffer. */
  replayed: number;
  /** Records the writer refused for good (see `flush`'s isPermanent) and that were dropped. */
  rejected: number;
  /** Weight (samples + events) the writer accepted, since this process opened the buffer. */
  written: number;
  /** Appends or acks the disk refused (records then kept in memory only). */
  diskErrors: number;
  /** Highest sequence number written or dropped. */
  ackedSeq: number;
}

/** How `flush` writes several records at once (DiskBuffer.flush). */
export interface FlushBatch {
  /** Whether a record can be in a batch (e.g. samples only). */
  joins: (rec: BufferRecord) => boolean;
  /** Writes the records in one go: all or none. */
  write: (recs: BufferRecord[], info: { maybeWritten: boolean }) => Promise<void>;
  /** After a failed batch: true to write its records one at a time, false to rethrow (stop the flush). */
  fallBack: (error: unknown) => boolean;
  max: number;
}

interface Pending {
  rec: BufferRecord;
  weight: number;
  bytes: number;
  /** Read back from disk or already attempted: the writer must deduplicate. */
  maybeWritten: boolean;
  attempts: number;
}

interface Segment {
  file: string;
  firstSeq: number;
  lastSeq: number;
  bytes: number;
}

/** `rejected.jsonl` is rotated past this size. */
const REJECTED_MAX_BYTES = 1024 * 1024;

/** Records written between two rewrites of the ack file during a flush. */
const ACK_EVERY = 256;

const SEGMENT_RE = /^seg-(\d{16})\.jsonl$/;
const segName = (firstSeq: number): string => `seg-${String(firstSeq).padStart(16, '0')}.jsonl`;

export class DiskBuffer {
  private readonly queue: Pending[] = [];
  private head = 0; // index of the first live entry in `queue` (shifted lazily)
  private segments: Segment[] = [];
  private current: { seg: Segment; fd: number } | null = null;
  private nextSeq = 1;
  private weight = 0;
  private bytes = 0;
  private readonly segmentBytes: number;
  private readonly now: () => number;
  private readonly log: (line: Record<string, unknown>) => void;
  private closed = false;
  private lockHandle: DirLock | null = null;
  /** The folder could not be created: records are kept in memory only (same bounds). */
  memoryOnly = false;
  readonly stats: Omit<BufferStats, 'pendingRecords' | 'pending' | 'pendingBytes'> = {
    dropped: 0, droppedRecords: 0, corrupt: 0, replayed: 0, rejected: 0, written: 0, diskErrors: 0, ackedSeq: 0,
  };

  private constructor(private readonly opts: DiskBufferOptions) {
    this.segmentBytes = opts.segmentBytes ?? Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(opts.maxBytes / 8)));
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => undefined);
  }

  /**
   * Opens (creating) the buffer folder, takes the lock and replays every unacknowledged record.
   * Throws a QuorumError('internal') only when another live process holds the lock (two collectors
   * on one data folder would write everything twice). A folder that cannot be created gives a
   * memory-only buffer (logged, `diskErrors`); anything wrong inside the files is skipped and counted.
   * The same process may reopen a folder (the new instance takes over; tests do this).
   */
  static open(opts: DiskBufferOptions): DiskBuffer {
    const b = new DiskBuffer(opts);
    try {
      mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      // A data folder we cannot write must not stop the probes: buffer in memory, say so.
      b.memoryOnly = true;
      b.stats.diskErrors++;
      b.log({ event: 'buffer-memory-only', dir: opts.dir, error: describeError(e) });
      return b;
    }
    b.lockHandle = DirLock.acquire(opts.dir);
    try {
      b.replay();
    } catch (e) {
      b.lockHandle.release();
      throw e;
    }
    return b;
  }

  private get ackFile(): string {
    return path.join(this.opts.dir, 'ack');
  }

  private replay(): void {
    let acked = 0;
    try {
      const v: unknown = JSON.parse(readFileSync(this.ackFile, 'utf8'));
      if (isObj(v) && Number.isSafeInteger(v.ackedSeq) && (v.ackedSeq as number) >= 0) acked = v.ackedSeq as number;
      else this.stats.corrupt++;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.stats.corrupt++;
        this.log({ event: 'buffer-ack-unreadable', error: describeError(e) });
      }
    }
    this.stats.ackedSeq = acked;
    let maxSeq = acked;
    const files = readdirSync(this.opts.dir).filter((f) => SEGMENT_RE.test(f)).sort();
    const seen = new Set<number>();
    for (const f of files) {
      const file = path.join(this.opts.dir, f);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        this.stats.corrupt++;
        this.log({ event: 'buffer-segment-unreadable', file: f, error: describeError(e) });
        continue;
      }
      const seg: Segment = { file, firstSeq: Number(SEGMENT_RE.exec(f)![1]), lastSeq: 0, bytes: Buffer.byteLength(text) };
      const lines = text.split('\n');
      const tail = lines.pop(); // '' when the file ends with a newline; otherwise a cut-off line
      if (tail !== undefined && tail !== '') this.stats.corrupt++;
      for (const line of lines) {
        if (line === '') continue;
        const rec = decodeLine(line);
        if (!rec) {
          this.stats.corrupt++;
          continue;
        }
        seg.lastSeq = Math.max(seg.lastSeq, rec.seq);
        maxSeq = Math.max(maxSeq, rec.seq);
        if (rec.seq <= acked || seen.has(rec.seq)) continue;
        seen.add(rec.seq);
        this.queue.push({ rec, weight: recordWeight(rec), bytes: Buffer.byteLength(line) + 1, maybeWritten: true, attempts: 0 });
      }
      if (seg.lastSeq === 0 || seg.lastSeq <= acked) this.removeFile(file);
      else this.segments.push(seg);
    }
    // Segments are read in name (= first seq) order; sort anyway in case a file was renamed by hand.
    this.queue.sort((a, b) => a.rec.seq - b.rec.seq);
    for (const p of this.queue) {
      this.weight += p.weight;
      this.bytes += p.bytes;
    }
    this.stats.replayed = this.queue.length;
    this.nextSeq = maxSeq + 1;
    this.enforceBound();
    if (this.stats.replayed || this.stats.corrupt) {
      this.log({ event: 'buffer-replay', records: this.stats.replayed, samples: this.weight, corrupt: this.stats.corrupt, ackedSeq: acked, droppedOnReplay: this.stats.droppedRecords });
    }
  }

  private removeFile(file: string): void {
    try {
      unlinkSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log({ event: 'buffer-unlink-failed', file, error: describeError(e) });
    }
  }

  get pendingRecords(): number {
    return this.queue.length - this.head;
  }
  /** Buffered weight (samples + events). */
  get pending(): number {
    return this.weight;
  }
  get pendingBytes(): number {
    return this.bytes;
  }
  get dropped(): number {
    return this.stats.dropped;
  }
  snapshot(): BufferStats {
    return { ...this.stats, pendingRecords: this.pendingRecords, pending: this.weight, pendingBytes: this.bytes };
  }

  /**
   * Appends records (in order) with one write and one fsync. Returns their sequence numbers.
   * Never throws for disk problems: then the records are kept in memory only and `diskErrors` grows.
   */
  append(records: readonly NewRecord[]): number[] {
    if (this.closed) throw new QuorumError('internal', 'the collector buffer is closed');
    const at = this.now();
    const entries: Pending[] = [];
    const lines: string[] = [];
    for (const r of records) {
      const weight = recordWeight(r);
      if (r.kind === 'samples' && weight === 0) continue;
      const rec = { ...r, seq: this.nextSeq++, at } as BufferRecord;
      const line = encodeLine(rec);
      lines.push(line);
      entries.push({ rec, weight, bytes: Buffer.byteLength(line), maybeWritten: false, attempts: 0 });
    }
    if (entries.length === 0) return [];
    this.writeLines(lines, entries[0]!.rec.seq, entries[entries.length - 1]!.rec.seq);
    for (const e of entries) {
      this.queue.push(e);
      this.weight += e.weight;
      this.bytes += e.bytes;
    }
    this.enforceBound();
    return entries.map((e) => e.rec.seq);
  }

  private writeLines(lines: string[], firstSeq: number, lastSeq: number): void {
    if (this.memoryOnly) return;
    const data = Buffer.from(lines.join(''), 'utf8');
    try {
      if (this.current && this.current.seg.bytes >= this.segmentBytes) this.closeCurrent();
      if (!this.current) {
        const file = path.join(this.opts.dir, segName(firstSeq));
        const fd = openSync(file, 'a', 0o600);
        this.current = { seg: { file, firstSeq, lastSeq: 0, bytes: 0 }, fd };
        this.segments.push(this.current.seg);
      }
      let off = 0;
      while (off < data.length) off += writeSync(this.current.fd, data, off);
      fsyncSync(this.current.fd);
      this.current.seg.bytes += data.length;
      this.current.seg.lastSeq = lastSeq;
    } catch (e) {
      this.stats.diskErrors++;
      this.log({ event: 'buffer-disk-error', error: describeError(e), records: lines.length });
      // A partial line may now sit at the end of this segment: start a fresh one next time
      // (replay skips the cut-off line as corrupt).
      this.closeCurrent();
    }
  }

  private closeCurrent(): void {
    if (!this.current) return;
    try {
      closeSync(this.current.fd);
    } catch {
      /* already closed */
    }
    this.current = null;
  }

  /** Drops the oldest records while over a bound. */
  private enforceBound(): void {
    let droppedNow = 0;
    while (this.pendingRecords > 0 && (this.bytes > this.opts.maxBytes || this.weight > this.opts.maxWeight)) {
      const p = this.queue[this.head]!;
      this.removeFront();
      this.stats.dropped += p.weight;
      this.stats.droppedRecords++;
      droppedNow += p.weight;
    }
    if (droppedNow > 0) {
      this.persistAck();
      this.log({ event: 'buffer-dropped-oldest', samples: droppedNow, totalDropped: this.stats.dropped });
    }
  }

  /** The records at the head that can go in one batch: consecutive, joinable, each cluster once, at most `max`. */
  private headGroup(batch: FlushBatch): Pending[] {
    const out: Pending[] = [];
    const clusters = new Set<string>();
    for (let i = this.head; i < this.queue.length && out.length < batch.max; i++) {
      const p = this.queue[i]!;
      if (!batch.joins(p.rec) || clusters.has(p.rec.clusterId)) break;
      clusters.add(p.rec.clusterId);
      out.push(p);
    }
    return out;
  }

  private removeFront(): void {
    const p = this.queue[this.head]!;
    this.queue[this.head] = undefined as unknown as Pending;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.weight -= p.weight;
    this.bytes -= p.bytes;
    this.stats.ackedSeq = Math.max(this.stats.ackedSeq, p.rec.seq);
  }

  /** Writes the ack file (tmp + rename) and deletes segments that hold nothing unacknowledged. */
  private persistAck(): void {
    if (this.memoryOnly) return;
    const acked = this.stats.ackedSeq;
    try {
      const tmp = `${this.ackFile}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ ackedSeq: acked })}\n`, { mode: 0o600 });
      renameSync(tmp, this.ackFile);
    } catch (e) {
      this.stats.diskErrors++;
      this.log({ event: 'buffer-ack-failed', error: describeError(e) });
      return; // keep the segments: a later ack (or replay + dedupe) settles them
    }
    const keep: Segment[] = [];
    for (const s of this.segments) {
      if (s.lastSeq > acked || (s.lastSeq === 0 && s.bytes === 0)) {
        keep.push(s);
        continue;
      }
      if (this.current?.seg === s) this.closeCurrent();
      this.removeFile(s.file);
    }
    this.segments = keep;
  }

  /**
   * Writes buffered records through `write`, oldest first, acknowledging each after it succeeds.
   * Stops at the first failure and rethrows it (the record stays first in line), unless
   * `isPermanent(error, attempts)` says the record can never be written: then it is dropped,
   * counted in `rejected`, and flushing goes on. Returns the weight written.
   *
   * With `batch`, the records at the head that `batch.joins` (consecutive, each cluster once, at most
   * `batch.max`) go to `batch.write` together when there are two or more: all of them are then
   * written or none. When that fails and `batch.fallBack(error)` says so (the error may be one
   * record's), those records are written one at a time as above, so a bad record is rejected alone;
   * otherwise (the database is down) the error is rethrown and they stay first in line.
   */
  async flush(
    write: (rec: BufferRecord, info: { maybeWritten: boolean }) => Promise<void>,
    isPermanent: (error: unknown, attempts: number) => boolean = () => false,
    batch?: FlushBatch,
  ): Promise<number> {
    let written = 0;
    let unacked = 0;
    let alone = 0; // records to write one at a time after a batch that failed
    /** A record the writer accepted leaves the queue, unless it was dropped meanwhile (a bound: oldest first). */
    const accepted = (p: Pending): void => {
      if (this.queue[this.head] !== p) return;
      this.removeFront();
      written += p.weight;
      this.stats.written += p.weight;
      unacked++;
    };
    // The ack file is rewritten every ACK_EVERY records and at the end: a crash replays at most
    // that many already-written records, which the writer deduplicates. (Acking every record cost
    // a rename per cluster per cycle: ≈ 2 ms each on this machine's filesystem.)
    const ackNow = (): void => {
      if (unacked < ACK_EVERY) return;
      this.persistAck();
      unacked = 0;
    };
    try {
      while (this.pendingRecords > 0 && !this.closed) {
        if (batch && alone === 0) {
          const group = this.headGroup(batch);
          if (group.length >= 2) {
            try {
              await batch.write(
                group.map((g) => g.rec),
                { maybeWritten: group.some((g) => g.maybeWritten) },
              );
              if (this.closed) break;
            } catch (e) {
              for (const g of group) g.maybeWritten = true;
              if (!batch.fallBack(e)) throw e;
              alone = group.length;
              continue;
            }
            for (const g of group) accepted(g);
            ackNow();
            continue;
          }
        }
        if (alone > 0) alone--;
        const p = this.queue[this.head]!;
        p.attempts++;
        try {
          await write(p.rec, { maybeWritten: p.maybeWritten });
          // Closed meanwhile (shutdown; the folder may have a new owner): leave it unacknowledged —
          // the next process replays it and the writer deduplicates.
          if (this.closed) break;
        } catch (e) {
          // The write may have committed before failing (e.g. a timeout on the answer): dedupe next time.
          p.maybeWritten = true;
          if (!isPermanent(e, p.attempts)) throw e;
          if (this.queue[this.head] === p) {
            this.removeFront();
            this.stats.rejected++;
            unacked++;
            this.log({ event: 'buffer-record-rejected', seq: p.rec.seq, kind: p.rec.kind, clusterId: p.rec.clusterId, weight: p.weight, attempts: p.attempts, error: describeError(e) });
            this.keepRejected(p.rec, e);
          }
          continue;
        }
        accepted(p);
        ackNow();
      }
    } finally {
      if (unacked > 0 && !this.closed) this.persistAck();
    }
    return written;
  }

  /**
   * A record refused for good is kept for a person to look at: appended to `rejected.jsonl` in the
   * buffer folder (the line as buffered, plus why), at most ~1 MiB (then `rejected.1.jsonl` holds
   * the previous MiB). Never replayed.
   */
  private keepRejected(rec: BufferRecord, error: unknown): void {
    if (this.memoryOnly) return;
    const file = path.join(this.opts.dir, 'rejected.jsonl');
    try {
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        /* none yet */
      }
      if (size > REJECTED_MAX_BYTES) renameSync(file, path.join(this.opts.dir, 'rejected.1.jsonl'));
      appendFileSync(file, `${JSON.stringify({ rejectedAt: new Date(this.now()).toISOString(), error: describeError(error), record: rec })}\n`, { mode: 0o600 });
    } catch (e) {
      this.log({ event: 'buffer-rejected-not-kept', seq: rec.seq, error: describeError(e) });
    }
  }

  /** Closes the open segment and releases the lock. Buffered records stay on disk for the next process. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCurrent();
    this.lockHandle?.release();
  }
}

/** Folder of the collector buffer inside the data folder. */
export const bufferDir = (dataDir: string): string => path.join(dataDir, 'collector-buffer');
