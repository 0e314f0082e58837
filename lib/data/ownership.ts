// The collectors' cluster ownership on PostgreSQL, as SQL on the collector's own session
// (lib/db/session.ts): the session-level advisory locks that ARE the ownership, and the rows that
// say so for people (Collector, ClusterOwner, CollectorTakeover; see prisma/schema.template.prisma).
// Times are the database's clock in UTC, so a gap never mixes two hosts' clocks.
import type { PgSession } from '../db/session';
import { advisoryKey, keyFromLockRow } from '../db/session';
import { classifyDbError } from '../db/errors';
import { pause } from '../deadline';

/** timestamp(3) "now" in UTC, as Prisma stores DateTime on PostgreSQL. */
const NOW = `(statement_timestamp() AT TIME ZONE 'UTC')`;
/** A timestamp column as epoch ms (a `timestamp without time zone` is taken as UTC). */
const MS = (col: string): string => `(EXTRACT(EPOCH FROM ${col}) * 1000)::bigint`;
/** Epoch ms → timestamp(3). */
const TS = (param: string): string => `(TIMESTAMP '1970-01-01 00:00:00' + (${param}::bigint) * INTERVAL '1 millisecond')`;

export interface CollectorInfo {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  mode: 'ha' | 'single';
  intervalSeconds: number;
}

export interface HeldLock {
  key: string;
  /** Held by this very session. */
  mine: boolean;
}

export interface ClaimResult {
  /** The previous owner was this same collector (e.g. it re-took its locks after its session dropped). */
  continued: boolean;
  takeover: null | {
    kind: 'crash' | 'graceful';
    previousCollectorId: string;
    previousCollector: string;
    gapMs: number | null;
    acquiredAtMs: number;
  };
}

/** What the ownership loop needs from the database (the real one is `pgOwnershipStore`; unit tests give their own). */
export interface OwnershipStore {
  register(info: CollectorInfo): Promise<void>;
  /**
   * Ends this collector's earlier sessions that the server still holds (a reconnect after the network
   * or the server hung: the old session may keep its locks until the server notices). Found by their
   * application_name, which carries the run id. Returns how many were ended.
   */
  endStaleSessions(applicationName: string, waitMs: number): Promise<number>;
  /** False when the collector's row is gone (removed by retention, or a restored database): register again. */
  heartbeat(id: string, owned: number, lastCycle: { atMs: number; json: string } | null): Promise<boolean>;
  locks(): Promise<HeldLock[]>;
  clusterIds(): Promise<string[]>;
  /** Collectors not stopped with a heartbeat in the last day (live ones are those whose liveness lock is held). */
  collectors(): Promise<Array<{ id: string; name: string }>>;
  tryLock(key: string): Promise<boolean>;
  unlock(key: string): Promise<void>;
  claim(clusterId: string, me: { id: string; name: string }): Promise<ClaimResult>;
  release(clusterId: string, meId: string): Promise<void>;
  firstProbe(clusterId: string, meId: string, atMs: number): Promise<void>;
  stopped(id: string): Promise<void>;
  keyOfCluster(clusterId: string): string;
  keyOfCollector(collectorId: string): string;
  /** Lock keys of jobs only one collector runs at a time (retention). */
  keyOfJob(job: string): string;
}

async function one<T extends Record<string, unknown>>(s: PgSession, sql: string, args: unknown[] = []): Promise<T[]> {
  try {
    return (await s.client.query<T>(sql, args)).rows;
  } catch (e) {
    throw classifyDbError(e);
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function pgOwnershipStore(s: PgSession, schema: string): OwnershipStore {
  return {
    keyOfCluster: (id) => advisoryKey(schema, 'quorum-cluster-owner', id),
    keyOfCollector: (id) => advisoryKey(schema, 'quorum-collector-alive', id),
    keyOfJob: (job) => advisoryKey(schema, 'quorum-job', job),

    async register(info) {
      await one(
        s,
        `INSERT INTO "Collector" ("id","name","host","pid","version","mode","intervalSeconds","startedAt","heartbeatAt","owned")
         VALUES ($1,$2,$3,$4,$5,$6,$7,${NOW},${NOW},0)
         ON CONFLICT ("id") DO UPDATE SET "heartbeatAt" = ${NOW}, "stoppedAt" = NULL`,
        [info.id, info.name, info.host, info.pid, info.version, info.mode, info.intervalSeconds],
      );
    },

    async endStaleSessions(applicationName, waitMs) {
      const rows = await one<{ pid: number }>(s, 'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [applicationName]);
      if (rows.length === 0) return 0;
      await one(s, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [applicationName]);
      const until = Date.now() + waitMs;
      while (Date.now() < until) {
        const left = await one(s, 'SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [applicationName]);
        if (left.length === 0) break;
        await pause(50);
      }
      return rows.length;
    },

    async heartbeat(id, owned, lastCycle) {
      const rows = await one(
        s,
        `UPDATE "Collector" SET "heartbeatAt" = ${NOW}, "owned" = $2,
           "lastCycleAt" = COALESCE(${TS('$3')}, "lastCycleAt"), "lastCycle" = COALESCE($4, "lastCycle")
         WHERE "id" = $1 RETURNING "id"`,
        [id, owned, lastCycle ? String(lastCycle.atMs) : null, lastCycle?.json ?? null],
      );
      return rows.length === 1;
    },

    async locks() {
      const rows = await one<{ classid: string; objid: string; mine: boolean }>(
        s,
        `SELECT classid::text AS classid, objid::text AS objid, pid = pg_backend_pid() AS mine FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return rows.map((r) => ({ key: keyFromLockRow(r.classid, r.objid), mine: r.mine }));
    },

    async clusterIds() {
      return (await one<{ id: string }>(s, 'SELECT "id" FROM "Cluster" ORDER BY "id"')).map((r) => r.id);
    },

    async collectors() {
      return one<{ id: string; name: string }>(s, `SELECT "id","name" FROM "Collector" WHERE "stoppedAt" IS NULL AND "heartbeatAt" > ${NOW} - INTERVAL '1 day' ORDER BY "id"`);
    },

    async tryLock(key) {
      const rows = await one<{ ok: boolean }>(s, 'SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
      return rows[0]?.ok === true;
    },

    async unlock(key) {
      await one(s, 'SELECT pg_advisory_unlock($1::bigint)', [key]);
    },

    async claim(clusterId, me) {
      try {
        await s.client.query('BEGIN');
        const prev = (
          await s.client.query<{ collectorId: string; collectorName: string; sinceMs: string; releasedMs: string | null }>(
            `SELECT "collectorId","collectorName",${MS('"since"')} AS "sinceMs",${MS('"releasedAt"')} AS "releasedMs" FROM "ClusterOwner" WHERE "clusterId" = $1 FOR UPDATE`,
            [clusterId],
          )
        ).rows[0];
        if (prev && prev.collectorId === me.id) {
          await s.client.query('UPDATE "ClusterOwner" SET "releasedAt" = NULL WHERE "clusterId" = $1', [clusterId]);
          await s.client.query('COMMIT');
          return { continued: true, takeover: null };
        }
        const owner = await s.client.query<{ sinceMs: string }>(
          `INSERT INTO "ClusterOwner" ("clusterId","collectorId","collectorName","since","releasedAt","firstProbeAt") VALUES ($1,$2,$3,${NOW},NULL,NULL)
           ON CONFLICT ("clusterId") DO UPDATE SET "collectorId" = excluded."collectorId", "collectorName" = excluded."collectorName",
             "since" = excluded."since", "releasedAt" = NULL, "firstProbeAt" = NULL
           RETURNING ${MS('"since"')} AS "sinceMs"`,
          [clusterId, me.id, me.name],
        );
        const acquiredAtMs = Number(owner.rows[0]!.sinceMs);
        let takeover: ClaimResult['takeover'] = null;
        if (prev) {
          const hb = (await s.client.query<{ hbMs: string | null }>(`SELECT ${MS('"heartbeatAt"')} AS "hbMs" FROM "Collector" WHERE "id" = $1`, [prev.collectorId])).rows[0];
          const last = (await s.client.query<{ lastMs: string | null }>('SELECT max("lastAtMs")::text AS "lastMs" FROM "Series" WHERE "clusterId" = $1', [clusterId])).rows[0];
          const releasedMs = num(prev.releasedMs);
          const heartbeatMs = num(hb?.hbMs);
          const kind = releasedMs !== null ? 'graceful' : 'crash';
          const fromMs = releasedMs ?? heartbeatMs;
          const gapMs = fromMs === null ? null : Math.max(0, acquiredAtMs - fromMs);
          await s.client.query(
            `INSERT INTO "CollectorTakeover" ("clusterId","kind","previousCollectorId","previousCollector","newCollectorId","newCollector",
               "previousHeartbeatAt","releasedAt","acquiredAt","gapMs","lastSampleAt","dedupeKey")
             VALUES ($1,$2,$3,$4,$5,$6,${TS('$7')},${TS('$8')},${TS('$9')},$10,${TS('$11')},$12) ON CONFLICT ("dedupeKey") DO NOTHING`,
            [
              clusterId, kind, prev.collectorId, prev.collectorName, me.id, me.name,
              heartbeatMs === null ? null : String(heartbeatMs), releasedMs === null ? null : String(releasedMs), String(acquiredAtMs),
              gapMs, num(last?.lastMs) === null ? null : String(last!.lastMs), `${clusterId}|${me.id}|${acquiredAtMs}`,
            ],
          );
          takeover = { kind, previousCollectorId: prev.collectorId, previousCollector: prev.collectorName, gapMs, acquiredAtMs };
        }
        await s.client.query('COMMIT');
        return { continued: false, takeover };
      } catch (e) {
        await s.client.query('ROLLBACK').catch(() => undefined);
        throw classifyDbError(e);
      }
    },

    async release(clusterId, meId) {
      await one(s, `UPDATE "ClusterOwner" SET "releasedAt" = ${NOW} WHERE "clusterId" = $1 AND "collectorId" = $2`, [clusterId, meId]);
    },

    async firstProbe(clusterId, meId, atMs) {
      await one(s, `UPDATE "ClusterOwner" SET "firstProbeAt" = ${TS('$3')} WHERE "clusterId" = $1 AND "collectorId" = $2 AND "firstProbeAt" IS NULL`, [clusterId, meId, String(atMs)]);
      await one(
        s,
        `UPDATE "CollectorTakeover" SET "firstProbeAt" = ${TS('$3')},
           "probeGapMs" = CASE WHEN "lastSampleAt" IS NULL THEN NULL ELSE ($3::bigint - ${MS('"lastSampleAt"')})::int END
         WHERE "clusterId" = $1 AND "newCollectorId" = $2 AND "firstProbeAt" IS NULL`,
        [clusterId, meId, String(atMs)],
      );
    },

    async stopped(id) {
      await one(s, `UPDATE "Collector" SET "stoppedAt" = ${NOW}, "heartbeatAt" = ${NOW}, "owned" = 0 WHERE "id" = $1`, [id]);
    },
  };
}
