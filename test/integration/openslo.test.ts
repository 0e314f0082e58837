// OpenSLO export/import against real databases, and through the real CLI (`npm run quorum -- slo …`):
// a round trip leaves the policies unchanged, an import is all or nothing (one bad document → no
// change at all), unknown clusters are named, --prune removes what the file does not declare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Provider } from '@/lib/db/schema';
import { forEachProvider, useProviderDb } from './provider-db';
import { createCluster } from '@/lib/data/clusters';
import { listSloPolicies, setSloPolicy } from '@/lib/data/slo';
import { exportOpenSlo, importOpenSlo } from '@/lib/data/openslo';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'scripts', 'quorum.ts'), ...args], { cwd: root, env: { ...process.env, QUORUM_URL: '', QUORUM_TOKEN: '' }, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

const snapshot = async (): Promise<string[]> => (await listSloPolicies()).map((p) => `${p.clusterId.slice(0, 4)} ${p.component} ${p.objective} ${p.window} ${p.id}`).sort();

function providerSuite(provider: Provider): void {
  const ids: Record<string, string> = {};
  useProviderDb(provider, 'quorum_openslo', async () => {
    for (const name of ['prod-eu', 'lab']) ids[name] = (await createCluster({ name, server: 'https://127.0.0.1:6443', context: 'x', labels: { env: name }, kubeconfigYaml: KUBECONFIG })).id;
    await setSloPolicy({ clusterId: ids['prod-eu']!, component: '*', objective: 0.999, window: '30d' });
    await setSloPolicy({ clusterId: ids['prod-eu']!, component: 'control-plane', objective: 0.9995, window: 'month' });
    await setSloPolicy({ clusterId: ids['prod-eu']!, component: 'leader-election/kube-system/kube-scheduler', objective: 0.99, window: 'quarter' });
  });

  test('round trip through the database: export, import, nothing changes (ids, values); the built-in default is not stored', async () => {
    const before = await snapshot();
    const e = await exportOpenSlo();
    assert.deepEqual([e!.clusters, e!.slos], [2, 4]);
    const r = await importOpenSlo(e!.yaml);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.counts, { create: 0, update: 0, unchanged: 4, remove: 0 });
    assert.deepEqual(await snapshot(), before);
    assert.equal((await exportOpenSlo())!.yaml, e!.yaml, 'a second export is byte-identical');
    assert.equal(await exportOpenSlo({ cluster: 'nope' }), null);
  });

  test('an import is all or nothing: one unknown cluster or one bad document → nothing applied, every problem named', async () => {
    const before = await snapshot();
    const e = (await exportOpenSlo({ cluster: 'prod-eu' }))!.yaml;
    const changed = e.replace('target: 0.999\n', 'target: 0.995\n');
    assert.notEqual(changed, e);
    const bad = `${changed}---\napiVersion: openslo/v1\nkind: Service\nmetadata: { name: staging }\n`;
    const r1 = await importOpenSlo(bad);
    assert.equal(r1.ok, false);
    if (!r1.ok) assert.deepEqual(r1.issues, [{ path: 'Service staging', message: 'no cluster named "staging" is registered' }]);
    const r2 = await importOpenSlo(`${changed}---\napiVersion: openslo/v1\nkind: SLO\nmetadata: { name: x }\nspec: { budgetingMethod: Occurrences }\n`);
    assert.equal(r2.ok, false);
    if (!r2.ok) assert.equal(r2.kind, 'invalid');
    assert.deepEqual(await snapshot(), before, 'the valid change in the same file was not applied');
    const dry = await importOpenSlo(changed, { dryRun: true });
    assert.ok(dry.ok && dry.counts.update === 1);
    assert.deepEqual(await snapshot(), before, 'a dry run changes nothing');
    const ok = await importOpenSlo(changed);
    assert.ok(ok.ok);
    assert.deepEqual(ok.changes.filter((c) => c.action !== 'unchanged'), [{ cluster: 'prod-eu', component: '*', action: 'update', before: { objective: 0.999, window: '30d' }, after: { objective: 0.995, window: '30d' } }]);
    assert.equal((await listSloPolicies([ids['prod-eu']!])).find((p) => p.component === '*')!.objective, 0.995);
    await importOpenSlo(e);
    assert.deepEqual(await snapshot(), before, 'importing the first export restores it (same rows)');
  });

  test('the CLI: slo export to a file, slo import of it unchanged, a refused file lists every issue and exits 1, --prune', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-openslo-'));
    const file = path.join(dir, 'slos.yaml');
    const out = await cli(['slo', 'export', '--out', file]);
    assert.equal(out.code, 0, out.stderr);
    const before = await snapshot();
    const imp = await cli(['slo', 'import', file]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /applied: 0 created, 0 updated, 0 removed, 4 unchanged/);
    assert.deepEqual(await snapshot(), before);

    const badFile = path.join(dir, 'bad.yaml');
    writeFileSync(badFile, 'apiVersion: openslo/v1\nkind: SLO\nmetadata: { name: x }\nspec:\n  service: lab\n  budgetingMethod: Occurrences\n  alertPolicies: [{ alertPolicyRef: p }]\n');
    const bad = await cli(['slo', 'import', badFile]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error \[unprocessable\]: \d+ issues; nothing was applied$/m);
    assert.match(bad.stderr, /^ {2}documents\[0\]\.spec\.alertPolicies: alert policies are not supported/m);
    assert.match(bad.stderr, /^ {2}documents\[0\]\.spec\.budgetingMethod: Occurrences is not supported/m);
    const notYaml = path.join(dir, 'not.yaml');
    writeFileSync(notYaml, 'a: [unclosed');
    const ny = await cli(['slo', 'import', notYaml]);
    assert.equal(ny.code, 1);
    assert.match(ny.stderr, /^error \[bad-request\]/m);

    // A file declaring only prod-eu's default: --prune removes prod-eu's other policies, leaves lab alone.
    const only = (await exportOpenSlo({ cluster: 'prod-eu' }))!.yaml.split(/^---$/m).filter((d) => /kind: Service|name: prod-eu-default\n/.test(d)).join('---\n');
    const onlyFile = path.join(dir, 'only.yaml');
    writeFileSync(onlyFile, only);
    const dry = await cli(['slo', 'import', onlyFile, '--prune', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: would apply: 0 created, 0 updated, 2 removed, 1 unchanged/);
    const pruned = await cli(['slo', 'import', onlyFile, '--prune']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.deepEqual((await listSloPolicies()).map((p) => p.component), ['*']);
    const restore = await cli(['slo', 'import', file]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /applied: 2 created, 0 updated, 0 removed, 2 unchanged/);
  });
}

forEachProvider('OpenSLO export and import', providerSuite);
