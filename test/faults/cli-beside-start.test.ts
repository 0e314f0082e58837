// The first-run instructions, as a new user follows them: `npm start` (web app + collector) on the
// embedded SQLite file, and in another terminal `npm run quorum -- cluster add|list|update|remove`
// against the real lab, repeatedly, while the collector writes every 2 s and the web app is read
// all the time. Every command succeeds (before: every one failed after 5 s with "unknown variant
// `SocketTimeout`"), the collector never reports a database error, and the page shows the cluster.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, isCycle, signIn, startQuorum, timed, type QuorumProc, type SignedIn } from '../support/quorum-proc';

const root = path.resolve(import.meta.dirname, '..', '..');
const labKubeconfig = path.join(path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state')), 'quorum.kubeconfig');
const PORT = 3310;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quorum-faults-cli-'));
// The lab's load balancer is on loopback, which the outbound policy refuses unless allowed.
const env: Record<string, string> = { QUORUM_DATA_DIR: dataDir, QUORUM_COLLECTOR_INTERVAL_SECONDS: '2', QUORUM_OUTBOUND_ALLOW_LOOPBACK: '1' };
let quorum: QuorumProc | undefined;
let auth: SignedIn;

before(async () => {
  assert.ok(existsSync(labKubeconfig), `${labKubeconfig} missing: bring the lab up (npm run lab -- up)`);
  delete process.env.DATABASE_URL;
  quorum = await startQuorum(PORT, env);
  // A real user and token, made with the CLI beside the running server (itself part of what is tested).
  auth = await signIn(quorum.base, env);
});

after(async () => {
  await quorum?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('CLI cluster add, list, update, remove, three rounds, while npm start runs on the same SQLite file: all succeed; the page shows the cluster', { timeout: 300_000 }, async (t) => {
  const q = quorum!;
  // The web app is read all the time meanwhile (a dashboard left open, and more).
  let reading = true;
  const reads: number[] = [];
  const reader = (async () => {
    while (reading) {
      for (const u of ['/api/clusters', '/', '/settings']) reads.push((await timed(`${q.base}${u}`, { headers: u.startsWith('/api/') ? auth.api : auth.page })).status);
      await new Promise((res) => setTimeout(res, 200));
    }
  })();
  const run = async (args: string[]): Promise<string> => {
    const r = await cli(args, env);
    t.diagnostic(`quorum ${args.slice(0, 3).join(' ')}: exit ${r.code} in ${r.ms} ms`);
    assert.equal(r.code, 0, `quorum ${args.join(' ')} failed:\n${r.out}`);
    assert.doesNotMatch(r.out, /error|SocketTimeout|WASM_ERROR/i, r.out);
    return r.out;
  };
  const rounds = 3;
  try {
    for (let i = 1; i <= rounds; i++) {
      const name = `lab-cli-${i}`;
      const added = await run(['cluster', 'add', '--name', name, '--kubeconfig', labKubeconfig, '--label', `round=${i}`]);
      assert.match(added, new RegExp(`added cluster "${name}" .*Kubernetes v1\\.\\d+`));
      const listed = JSON.parse(await run(['cluster', 'list', '--json'])) as Array<{ name: string; labels: Record<string, string> }>;
      assert.deepEqual(listed.find((c) => c.name === name)?.labels, { round: String(i) });
      assert.match(await run(['cluster', 'update', name, '--dns-server', '10.96.0.10', '--lease', 'kube-system/kube-scheduler']), new RegExp(`updated cluster "${name}": leases \\[kube-system/kube-scheduler\\], DNS servers \\[10\\.96\\.0\\.10:53\\]`));
      // The collector picks the cluster up and writes its samples meanwhile.
      await q.waitFor((l) => isCycle(l) && Number(l.clusters) >= 1 && Number(l.written) > 0, 30_000, `a cycle that wrote ${name}'s samples`);
      if (i < rounds) assert.match(await run(['cluster', 'remove', name]), new RegExp(`removed cluster "${name}"`));
    }
  } finally {
    reading = false;
    await reader;
  }
  assert.ok(reads.length > 0 && reads.every((s) => s === 200), `web reads meanwhile: ${[...new Set(reads)].join(',')} over ${reads.length} requests`);
  const cycles = q.lines.filter(isCycle);
  assert.deepEqual(cycles.filter((l) => l.dbError !== undefined).map((l) => l.dbError), [], 'the collector never met a database error');
  const list = JSON.parse(await run(['cluster', 'list', '--json'])) as Array<{ name: string }>;
  assert.deepEqual(list.map((c) => c.name), [`lab-cli-${rounds}`]);
  const page = await timed(`${q.base}/`, { headers: auth.page });
  assert.equal(page.status, 200);
  assert.ok(page.body.includes(`lab-cli-${rounds}`), 'the overview shows the added cluster');
  const detail = await timed(`${q.base}/clusters/lab-cli-${rounds}`, { headers: auth.page });
  assert.equal(detail.status, 200);
  t.diagnostic(`${cycles.length} collector cycles, ${reads.length} web reads, all fine`);
});
