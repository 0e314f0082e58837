// SLO policies of one cluster: GET lists them, PUT creates or replaces one component's policy
// ("*" = the cluster default), DELETE ?component=… removes one. Errors: {"error":{"class","message"}}.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getCluster } from '@/lib/data/clusters';
import { listSloPolicies, removeSloPolicy, setSloPolicy } from '@/lib/data/slo';
import { SLO_WINDOWS } from '@/lib/slo/targets';
import { COMPONENT_ID_RE } from '@/lib/slo/names';
import { errorResponse, readJson } from '../../../_lib/respond';
import { settingsErrorResponse } from '../../../_lib/settings-errors';
import { audit, route } from '../../../_lib/guard';

export const dynamic = 'force-dynamic';

type Params = { id: string };

/** "*" or a component id (lib/slo/names.ts COMPONENT_ID_RE, also used by the OpenSLO import). */
const ComponentId = z
  .string()
  .trim()
  .max(300)
  .regex(COMPONENT_ID_RE, 'component must be "*" (cluster default), "control-plane" or a component id such as "dns" or "leader-election/kube-system/kube-scheduler"');

const PolicyBody = z
  .object({
    component: ComponentId.default('*'),
    objective: z
      .number({ error: 'objective must be a number' })
      .gt(0, 'objective must be a ratio above 0 (0.999 = 99.9 %)')
      .lt(1, 'objective must be a ratio below 1 (0.999 = 99.9 %): 100 % leaves no error budget')
      .refine((v) => Number(v.toFixed(6)) === v, 'objective has at most 6 decimals (99.9999 %)'),
    window: z.enum(SLO_WINDOWS, { error: `window must be one of ${SLO_WINDOWS.join(', ')}` }).default('30d'),
    /** Share of the window that must be covered before the SLO is judged (lib/slo/state.ts); null/absent: 0.75. */
    coverageFloor: z
      .number({ error: 'coverageFloor must be a number' })
      .min(0, 'coverageFloor must be a ratio from 0 to 1 (0.75 = 75 %)')
      .max(1, 'coverageFloor must be a ratio from 0 to 1 (0.75 = 75 %)')
      .refine((v) => Number(v.toFixed(4)) === v, 'coverageFloor has at most 4 decimals')
      .nullable()
      .default(null),
  })
  .strict();

/** Settings routes map an SloInputError (bad input to the SLO math) to 400 invalid-input, like QuorumError('invalid-input') (app/api/_lib/settings-errors.ts). */
async function settings(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    return settingsErrorResponse(e);
  }
}

export const GET = route<Params>('read', (_req, { id }) =>
  settings(async () => {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    return NextResponse.json({ policies: await listSloPolicies([cluster.id]) }, { headers: { 'cache-control': 'no-store' } });
  }),
);

export const PUT = route<Params>('settings:write', async (req, { id }, { principal }) => {
  const body = await readJson(req, PolicyBody);
  if (!body.ok) return body.response;
  return settings(async () => {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    const before = (await listSloPolicies([cluster.id])).find((p) => p.component === body.data.component) ?? null;
    const policy = await setSloPolicy({ clusterId: cluster.id, ...body.data });
    await audit(principal, { action: 'slo-policy.set', target: `cluster ${cluster.name} component ${policy.component}`, before: before && { objective: before.objective, window: before.window, coverageFloor: before.coverageFloor }, after: { objective: policy.objective, window: policy.window, coverageFloor: policy.coverageFloor } });
    return NextResponse.json({ policy });
  });
});

export const DELETE = route<Params>('settings:write', async (req, { id }, { principal }) => {
  const parsed = ComponentId.safeParse(new URL(req.url).searchParams.get('component') ?? '');
  if (!parsed.success) return errorResponse('bad-request', `component: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return settings(async () => {
    const cluster = await getCluster(id);
    if (!cluster) return errorResponse('not-found', `no cluster "${id}"`);
    const before = (await listSloPolicies([cluster.id])).find((p) => p.component === parsed.data) ?? null;
    if (!(await removeSloPolicy(cluster.id, parsed.data))) return errorResponse('not-found', `no policy for component "${parsed.data}" on ${cluster.name}`);
    await audit(principal, { action: 'slo-policy.remove', target: `cluster ${cluster.name} component ${parsed.data}`, before: before && { objective: before.objective, window: before.window } });
    return NextResponse.json({ removed: { clusterId: cluster.id, component: parsed.data } });
  });
});
