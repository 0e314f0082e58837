// The collector buffer's line codec: what a record is (by kind), its weight against the bound, and
// its line on disk: `<crc32 of json, 8 hex> <json>\n`, json = {"seq","kind","clusterId","at","payload"}.
// Pure; decodeLine never throws (a damaged line is null).
import { crc32 } from 'node:zlib';
import { QuorumError } from '../errors';
import type { FailoverEvent } from '../failover/reducer';
import type { WatchGap } from '../failover/lease-types';
import type { ProbeResult } from '../types';

/** What can go through the buffer, by kind. Add a kind here, in RECORD_KINDS and in the writer's switch. */
export interface BufferPayloads {
  /** One cluster's probe results of one cycle. */
  samples: ProbeResult[];
  /** One leader-election failover (lib/failover/reducer.ts). */
  failover: FailoverEvent;
  /** One period a Lease watch was down (lib/collector/leases.ts). */
  'watch-gap': WatchGap;
}
export type BufferKind = keyof BufferPayloads;

/** A record as the collector hands it in. */
export type NewRecord = { [K in BufferKind]: { kind: K; clusterId: string; payload: BufferPayloads[K] } }[BufferKind];
/** A record as stored: with its sequence number and the time it was buffered. */
export type BufferRecord = NewRecord & { seq: number; at: number };

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Shape checks for records read back from disk, one per kind (the table is exhaustive by type). */
const RECORD_KINDS = {
  samples: (p: unknown) => Array.isArray(p) && p.every((s) => isObj(s) && typeof s.probe === 'string' && typeof s.status === 'string' && typeof s.at === 'number'),
  failover: (p: unknown) => isObj(p) && typeof p.lease === 'string' && typeof p.kind === 'string',
  'watch-gap': (p: unknown) => isObj(p) && typeof p.namespace === 'string' && typeof p.startedAt === 'number' && typeof p.endedAt === 'number' && typeof p.reason === 'string',
} as const satisfies Record<BufferKind, (payload: unknown) => boolean>;

/** Weight of a record against the sample bound: samples count one each, any event counts one. */
export function recordWeight(r: NewRecord): number {
  switch (r.kind) {
    case 'samples':
      return r.payload.length;
    case 'failover':
    case 'watch-gap':
      return 1;
    default: {
      const never: never = r;
      throw new QuorumError('internal', `unknown buffer record kind ${String((never as { kind: unknown }).kind)}`);
    }
  }
}

export function encodeLine(rec: BufferRecord): string {
  const json = JSON.stringify({ seq: rec.seq, kind: rec.kind, clusterId: rec.clusterId, at: rec.at, payload: rec.payload });
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** Parses one line; null for anything that is not an intact record. Pure. */
export function decodeLine(line: string): BufferRecord | null {
  const m = /^([0-9a-f]{8}) (.*)$/.exec(line);
  if (!m) return null;
  const json = m[2]!;
  if (crc32(json).toString(16).padStart(8, '0') !== m[1]) return null;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isObj(v) || !Number.isSafeInteger(v.seq) || (v.seq as number) < 1 || typeof v.clusterId !== 'string' || typeof v.at !== 'number') return null;
  const kind = v.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(RECORD_KINDS, kind)) return null;
  if (!RECORD_KINDS[kind as BufferKind](v.payload)) return null;
  return { seq: v.seq as number, kind: kind as BufferKind, clusterId: v.clusterId, at: v.at, payload: v.payload } as BufferRecord;
}
