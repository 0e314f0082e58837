// OpenSLO export and import against the stored SLO policies (lib/openslo/openslo.ts does the format).
// An import is all or nothing: every document is validated first (422 with every issue named), every
// Service and SLO must name a registered cluster, and the changes are written in ONE transaction.
import { randomUUID } from 'node:crypto';
import { withDb } from '../db';
import { DEFAULT_SLO_POLICY } from '../slo/policy';
import type { SloWindow } from '../slo/targets';
import { exportDocuments, parseImport, toYaml, type ImportIssue, type PolicyDoc } from '../openslo/openslo';
import { listClusters } from './clusters';
import { WINDOW_TO_DB, listSloPolicies } from './slo';

/** Every cluster's Service and SLOs (all of them, or the named cluster's) as an OpenSLO YAML stream. */
export async function exportOpenSlo(opts: { cluster?: string } = {}): Promise<{ yaml: string; clusters: number; slos: number } | null> {
  const all = await listClusters();
  const clusters = opts.cluster ? all.filter((c) => c.id === opts.cluster || c.name === opts.cluster) : all;
  if (opts.cluster && clusters.length === 0) return null;
  const stored = await listSloPolicies(clusters.map((c) => c.id));
  const policies: PolicyDoc[] = [];
  for (const c of clusters) {
    const own = stored.filter((p) => p.clusterId === c.id);
    for (const p of own) policies.push({ cluster: c.name, component: p.component, objective: p.objective, window: p.window, builtIn: false });
    if (!own.some((p) => p.component === '*')) policies.push({ cluster: c.name, component: '*', objective: DEFAULT_SLO_POLICY.objective, window: DEFAULT_SLO_POLICY.window, builtIn: true });
  }
  const docs = exportDocuments(clusters.map((c) => ({ name: c.name, labels: c.labels, server: c.server })), policies);
  return { yaml: toYaml(docs), clusters: clusters.length, slos: policies.length };
}

export interface ImportChange {
  cluster: string;
  component: string;
  action: 'create' | 'update' | 'unchanged' | 'remove';
  before: { objective: number; window: SloWindow } | null;
  after: { objective: number; window: SloWindow } | null;
}

export type ImportResult =
  | { ok: true; dryRun: boolean; changes: ImportChange[]; counts: Record<ImportChange['action'], number> }
  | { ok: false; kind: 'malformed' | 'invalid'; issues: ImportIssue[] };

/**
 * Imports an OpenSLO YAML stream. Each SLO creates or replaces the policy of its cluster and
 * component; identical ones are left alone (a round trip of an export changes nothing). `prune`:
 * policies of the clusters the file names that it does not contain are removed.
 */
export async function importOpenSlo(text: string, opts: { prune?: boolean; dryRun?: boolean } = {}): Promise<ImportResult> {
  const parsed = parseImport(text);
  if (!parsed.ok) return parsed;
  const clusters = await listClusters();
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const issues: ImportIssue[] = [];
  for (const s of new Set(parsed.services)) if (!byName.has(s)) issues.push({ path: `Service ${s}`, message: `no cluster named "${s}" is registered` });
  for (const p of parsed.policies) if (!byName.has(p.cluster)) issues.push({ path: `${p.path}.spec.service`, message: `no cluster named "${p.cluster}" is registered (SLO ${p.name})` });
  if (issues.length) return { ok: false, kind: 'invalid', issues };
  const named = [...new Set([...parsed.services, ...parsed.policies.map((p) => p.cluster)])].map((n) => byName.get(n)!);
  const stored = await listSloPolicies(named.map((c) => c.id));
  const changes: ImportChange[] = [];
  const floors = new Map(stored.map((x) => [`${x.clusterId}/${x.component}`, x.coverageFloor ?? null]));
  for (const p of parsed.policies) {
    const c = byName.get(p.cluster)!;
    const cur = stored.find((x) => x.clusterId === c.id && x.component === p.component) ?? null;
    const after = { objective: p.objective, window: p.window };
    const before = cur ? { objective: cur.objective, window: cur.window } : null;
    const same = cur ? cur.objective === p.objective && cur.window === p.window : p.builtIn && p.component === '*' && p.objective === DEFAULT_SLO_POLICY.objective && p.window === DEFAULT_SLO_POLICY.window;
    changes.push({ cluster: c.name, component: p.component, action: same ? 'unchanged' : cur ? 'update' : 'create', before, after });
  }
  if (opts.prune) {
    for (const s of stored) {
      const c = named.find((x) => x.id === s.clusterId)!;
      if (!parsed.policies.some((p) => p.cluster === c.name && p.component === s.component)) changes.push({ cluster: c.name, component: s.component, action: 'remove', before: { objective: s.objective, window: s.window }, after: null });
    }
  }
  const counts = { create: 0, update: 0, unchanged: 0, remove: 0 };
  for (const ch of changes) counts[ch.action]++;
  if (!opts.dryRun && changes.some((c) => c.action !== 'unchanged')) {
    await withDb((db) =>
      db.transaction(async (tx) => {
        for (const ch of changes) {
          const clusterId = byName.get(ch.cluster)!.id;
          if (ch.action === 'remove') await tx.sloPolicy.deleteMany({ where: { clusterId, component: ch.component } });
          else if (ch.action !== 'unchanged') {
            const window = WINDOW_TO_DB[ch.after!.window];
            await tx.sloPolicy.upsert({
              where: { clusterId_component: { clusterId, component: ch.component } },
              // OpenSLO has no coverage floor: a new policy gets the default (null), an updated one keeps its own.
              create: { id: randomUUID(), clusterId, component: ch.component, objective: ch.after!.objective, window, coverageFloor: null },
              update: { objective: ch.after!.objective, window, coverageFloor: floors.get(`${clusterId}/${ch.component}`) ?? null },
            });
          }
        }
      }),
    );
  }
  return { ok: true, dryRun: opts.dryRun === true, changes, counts };
}
