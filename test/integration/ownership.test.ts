// Collector ownership on the real PostgreSQL (lib/collector/ownership.ts over lib/data/ownership.ts):
// session advisory locks shared by several ownership loops, each on its own database session, in a
// schema of its own. Join → even split with graceful handovers; a session that dies (its socket cut,
// as when its process is killed) → its clusters are taken within two ticks and recorded as crash
// takeovers with the measured gap; a cluster taken in one cycle is first probed in the next; a
// graceful stop hands everything over. The processes and the lab come in test/lab/collector-ha.test.ts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { haOwnership, newCollectorInfo, type ClusterOwnership } from '@/lib/collector/ownership';
import { createCluster } from '@/lib/data/clusters';
import { getQuorumItself } from '@/lib/data/collectors';
import { pgOwnershipStore } from '@/lib/data/ownership';
import { openPgSession, type PgSession } from '@/lib/db/session';
import { loadEnv } from '@/lib/env';
import { pause } from '@/lib/deadline';
import { DbError } from '@/lib/db/errors';
import { closedPortKubeconfig } from '../support/quorum-proc';
import { PG_URL, useProviderDb } from './provider-db';
import type { ClusterSummary } from '@/lib/types';

const TICK_MS = 150;
const INTERVAL_MS = 1000;

interface Loop {
  o: ClusterOwnership;
  sessions: PgSession[];
  /** Cuts the session's socket (as a killed process would) and refuses to reconnect. */
  kill(): void;
  logs: Array<Record<string, unknown>>;
}

/** `failReleases`: that many `release` calls fail as a statement timeout would (the server answers; the session lives). */
function loop(name: string, opts: { failReleases?: number } = {}): Loop {
  let failReleases = opts.failReleases ?? 0;
  const cfg = loadEnv().db;
  if (cfg.provider !== 'postgresql') throw new Error('PostgreSQL only');
  const sessions: PgSession[] = [];
  let dead = false;
  const logs: Array<Record<string, unknown>> = [];
  const o = haOwnership({
    info: newCollectorInfo({ name, version: 'test', mode: 'ha', intervalSeconds: INTERVAL_MS / 1000 }),
    connect: async () => {
      if (dead) throw new Error('this collector is dead');
      const s = await openPgSession(cfg, { applicationName: `test ${name}`, silentTimeoutMs: 5000 });
      sessions.push(s);
      const store = pgOwnershipStore(s, cfg.schema);
      const release: typeof store.release = async (clusterId, meId) => {
        if (failReleases > 0) {
          failReleases--;
          throw new DbError('timeout', 'canceling statement due to statement timeout', { dbCode: '57014' });
        }
        return store.release(clusterId, meId);
      };
      return { store: { ...store, release }, close: s.close };
    },
    intervalMs: INTERVAL_MS,
    tickMs: TICK_MS,
    now: Date.now,
    log: (l) => logs.push(l),
  });
  return {
    o,
    sessions,
    logs,
    kill() {
      dead = true;
      for (const s of sessions) (s.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    },
  };
}

async function until(what: string, ms: number, cond: () => boolean | Promise<boolean>): Promise<number> {
  const t = Date.now();
  while (!(await cond())) {
    if (Date.now() - t > ms) assert.fail(`not within ${ms} ms: ${what}`);
    await pause(50);
  }
  return Date.now() - t;
}

const ownedOf = (l: Loop, all: ClusterSummary[], at = Number.MAX_SAFE_INTEGER): string[] => l.o.select(all, at).map((c) => c.id).sort();

describe('collector ownership on PostgreSQL', { skip: PG_URL ? false : 'QUORUM_TEST_PG_URL is not set' }, () => {
  let clusters: ClusterSummary[] = [];
  useProviderDb('postgresql', 'ownership', async () => {
    clusters = [];
    for (let i = 0; i < 6; i++) clusters.push(await createCluster({ name: `own-${i}`, server: `https://127.0.0.1:${1 + i}`, context: 'c', labels: {}, kubeconfigYaml: closedPortKubeconfig(1 + i) }));
  });
  const loops: Loop[] = [];
  after(async () => {
    for (const l of loops) await l.o.stop().catch(() => undefined);
  });

  test('one collector takes all; a second one joins and gets half by graceful handovers', async () => {
    const a = loop('alpha');
    loops.push(a);
    a.o.start();
    await a.o.ready;
    await until('alpha owns all 6', 3000, () => ownedOf(a, clusters).length === 6);
    const b = loop('bravo');
    loops.push(b);
    b.o.start();
    await until('3 and 3', 5000, () => ownedOf(a, clusters).length === 3 && ownedOf(b, clusters).length === 3);
    assert.deepEqual([...ownedOf(a, clusters), ...ownedOf(b, clusters)].sort(), clusters.map((c) => c.id).sort(), 'every cluster owned once');
    const q = await getQuorumItself({ since: new Date(Date.now() - 60_000) });
    assert.equal(q.takeovers.length, 3);
    for (const t of q.takeovers) {
      assert.equal(t.kind, 'graceful');
      assert.equal(t.previousCollector, 'alpha');
      assert.equal(t.newCollector, 'bravo');
      assert.ok(t.releasedAt && t.gapMs !== null && t.gapMs >= 0 && t.gapMs < 5000, `gap ${t.gapMs}`);
    }
    const live = q.collectors.filter((c) => c.state === 'live').map((c) => `${c.name}:${c.owned}`).sort();
    assert.deepEqual(live, ['alpha:3', 'bravo:3']);
    assert.deepEqual(q.unowned, []);
  });

  test('a cluster taken in one cycle is first probed in the next one', () => {
    const b = loops[1]!;
    const takes = b.logs.filter((l) => l.event === 'takeover');
    assert.equal(takes.length, 3);
    for (const t of takes) {
      const id = String(t.clusterId);
      const at = Number(t.at);
      const nextCycle = (Math.floor(at / INTERVAL_MS) + 1) * INTERVAL_MS;
      assert.equal(t.probeFrom, new Date(nextCycle).toISOString());
      assert.ok(!b.o.select(clusters, at).some((c) => c.id === id), 'not in the cycle it was taken in (alpha may have probed it)');
      assert.ok(!b.o.select(clusters, nextCycle - 1).some((c) => c.id === id));
      assert.ok(b.o.select(clusters, nextCycle).some((c) => c.id === id), 'from the next cycle on');
      assert.match(b.o.seedReason(id) ?? '', /collector alpha handed the cluster over; bravo took it over/);
    }
  });

  test('a collector whose session dies (killed) loses its clusters to the other within two ticks: crash takeovers with the measured gap', async () => {
    const [a, b] = loops as [Loop, Loop];
    const before = ownedOf(a, clusters);
    const killedAt = Date.now();
    a.kill();
    const ms = await until('bravo owns all 6', 3000, () => ownedOf(b, clusters).length === 6);
    assert.ok(ms <= 2 * TICK_MS + 1500, `re-owned after ${ms} ms`);
    const q = await getQuorumItself({ since: new Date(killedAt - 1000) });
    const crash = q.takeovers.filter((t) => t.kind === 'crash');
    assert.deepEqual(crash.map((t) => t.clusterId).sort(), before);
    for (const t of crash) {
      assert.equal(t.previousCollector, 'alpha');
      assert.ok(t.previousHeartbeatAt !== null && t.gapMs !== null, 'the gap is measured from alpha\'s last heartbeat');
      assert.ok(t.gapMs! >= 0 && t.gapMs! < 3000, `gap ${t.gapMs} ms (alpha heartbeat every ${TICK_MS} ms)`);
    }
    assert.equal(q.collectors.find((c) => c.name === 'bravo')?.owned, 6);
    // The dead collector's row stops beating: first late, then gone; it owns nothing.
    const alpha = q.collectors.find((c) => c.name === 'alpha');
    assert.ok(alpha && alpha.owned === 0 && alpha.state !== 'stopped');
  });

  test('first probes are recorded on the takeover (how long the cluster went unprobed)', async () => {
    const b = loops[1]!;
    const target = ownedOf(b, clusters)[0]!;
    b.o.cycleDone({ clusters: 6, samples: 0 }, [{ clusterId: target, atMs: Date.now() }]);
    await until('firstProbeAt stored', 3000, async () => {
      const q = await getQuorumItself({ since: new Date(Date.now() - 60_000) });
      return q.takeovers.some((t) => t.clusterId === target && t.newCollector === 'bravo' && t.firstProbeAt !== null);
    });
    const q = await getQuorumItself({ since: new Date(Date.now() - 60_000) });
    const row = q.collectors.find((c) => c.name === 'bravo')!;
    assert.ok(row.lastCycle && row.lastCycle.clusters === 6, 'the heartbeat carries the last cycle line');
    assert.ok(row.ownedClusters.find((c) => c.id === target)?.firstProbeAt);
  });

  test('a graceful stop hands every cluster over and marks the run stopped; advisory locks are gone', async () => {
    const b = loops[1]!;
    await b.o.stop();
    const q = await getQuorumItself({ since: new Date(Date.now() - 60_000) });
    assert.equal(q.collectors.find((c) => c.name === 'bravo')?.state, 'stopped');
    assert.equal(q.unowned.length, 6, 'nobody probes them now: the page says so');
    assert.ok(q.unowned.every((u) => u.lastOwner === 'bravo' && u.releasedAt));
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const held = await c.query(`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.application_name LIKE 'test %'`);
    await c.end();
    assert.equal(held.rows[0].n, 0);
    // A new collector picks them all up, recorded as graceful (bravo let go).
    const c3 = loop('charlie', { failReleases: 1 });
    loops.push(c3);
    c3.o.start();
    await until('charlie owns all 6', 3000, () => ownedOf(c3, clusters).length === 6);
    const q2 = await getQuorumItself({ since: new Date(Date.now() - 10_000) });
    assert.ok(q2.takeovers.filter((t) => t.newCollector === 'charlie').every((t) => t.kind === 'graceful' && t.previousCollector === 'bravo'));
  });

  test('a tick that fails half-way with the session kept (a statement timeout) lets go of the lock it left behind', async () => {
    const c3 = loops[2]!;
    const d = loop('delta');
    loops.push(d);
    d.o.start();
    // charlie's first release fails after it stopped counting the cluster as its own: its lock stays until the next tick.
    await until('3 and 3', 5000, () => ownedOf(c3, clusters).length === 3 && ownedOf(d, clusters).length === 3);
    assert.deepEqual([...ownedOf(c3, clusters), ...ownedOf(d, clusters)].sort(), clusters.map((c) => c.id).sort());
    assert.ok(c3.logs.some((l) => l.event === 'ownership-tick-failed'), 'the failed tick kept the session');
    assert.ok(!c3.logs.some((l) => l.event === 'ownership-session-lost'));
    assert.equal(c3.logs.filter((l) => l.event === 'ownership-released' && /failed half-way/.test(String(l.why))).length, 1);
    const q = await getQuorumItself({ since: new Date(Date.now() - 10_000) });
    const toDelta = q.takeovers.filter((t) => t.newCollector === 'delta');
    assert.equal(toDelta.length, 3);
    assert.ok(toDelta.every((t) => t.kind === 'graceful' && t.previousCollector === 'charlie'), JSON.stringify(toDelta));
  });
});
