// OpenSLO v1 (README "OpenSLO"). GET ?cluster=<id or name> exports every SLO policy (and one Service
// per cluster) as a YAML stream. POST {"document":"<YAML>","prune"?:false,"dryRun"?:false} (editors)
// imports one: 400 when it is not YAML, 422 `unprocessable` with `issues: [{path, message}]` naming
// every field Quorum cannot apply (nothing is applied then), else the changes, written in one
// transaction and audited.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { exportOpenSlo, importOpenSlo } from '@/lib/data/openslo';
import { errorResponse, readJson } from '../_lib/respond';
import { audit, route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async (req) => {
  const cluster = new URL(req.url).searchParams.get('cluster') ?? undefined;
  if (cluster !== undefined && (cluster === '' || cluster.length > 200)) return errorResponse('bad-request', 'cluster must be a cluster id or name');
  const r = await exportOpenSlo(cluster ? { cluster } : {});
  if (!r) return errorResponse('not-found', `no cluster "${String(cluster).slice(0, 80)}"`);
  return new Response(r.yaml, {
    headers: { 'content-type': 'application/yaml; charset=utf-8', 'content-disposition': `attachment; filename="quorum-openslo${cluster ? `-${cluster.replace(/[^A-Za-z0-9._-]/g, '_')}` : ''}.yaml"`, 'cache-control': 'no-store' },
  });
});

const Body = z
  .object({
    document: z.string({ error: 'document must be the OpenSLO YAML as a string' }).min(1, 'document is empty'),
    prune: z.boolean().optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

export const POST = route('settings:write', async (req, _p, { principal }) => {
  const body = await readJson(req, Body);
  if (!body.ok) return body.response;
  const r = await importOpenSlo(body.data.document, { prune: body.data.prune ?? false, dryRun: body.data.dryRun ?? false });
  if (!r.ok) {
    const first = r.issues[0];
    const message = `${r.issues.length} issue${r.issues.length === 1 ? '' : 's'}; nothing was applied. ${first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`;
    return errorResponse(r.kind === 'malformed' ? 'bad-request' : 'unprocessable', message, { issues: r.issues });
  }
  const changed = r.changes.filter((c) => c.action !== 'unchanged');
  if (!r.dryRun && changed.length > 0) {
    await audit(principal, { action: 'slo.import', target: `${changed.length} SLO polic${changed.length === 1 ? 'y' : 'ies'} (OpenSLO)`, before: changed.map((c) => ({ cluster: c.cluster, component: c.component, ...c.before })), after: changed.map((c) => ({ cluster: c.cluster, component: c.component, action: c.action, ...c.after })) });
  }
  return NextResponse.json(r);
});
