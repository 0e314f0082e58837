// Maintenance windows: GET lists them (?cluster=<id|name> for one cluster's and the fleet-wide ones),
// POST creates one (one-off, daily or weekly; per cluster or fleet-wide). Time inside them is
// neither good nor bad for SLOs.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getCluster } from '@/lib/data/clusters';
import { createMaintenanceWindow, listMaintenanceWindows } from '@/lib/data/slo';
import { errorResponse, readJson } from '../_lib/respond';
import { settingsErrorResponse } from '../_lib/settings-errors';
import { audit, route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

const isoTime = (field: string) =>
  z
    .string({ error: `${field} must be an ISO time, e.g. 2026-12-01T02:00:00Z` })
    .trim()
    .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && Number.isFinite(Date.parse(s)), `${field} must be an ISO time with a zone, e.g. 2026-12-01T02:00:00Z`)
    .transform((s) => Date.parse(s));

const MaintenanceBody = z
  .object({
    /** Cluster id or name; null or omitted = every cluster. */
    cluster: z.string().trim().min(1).max(200).nullable().optional(),
    title: z.string().trim().min(1, 'title is required').max(200, 'title is at most 200 characters'),
    start: isoTime('start'),
    durationMinutes: z.number({ error: 'durationMinutes must be a number' }).int('durationMinutes must be whole minutes').min(1, 'durationMinutes must be at least 1').max(10_080, 'durationMinutes must be at most 10080 (a week)'),
    recurrence: z.enum(['none', 'daily', 'weekly'], { error: 'recurrence must be none, daily or weekly' }).default('none'),
    until: isoTime('until').nullable().optional(),
  })
  .strict()
  .refine((b) => b.recurrence !== 'daily' || b.durationMinutes <= 1440, { message: 'a daily window lasts at most 1440 minutes', path: ['durationMinutes'] })
  .refine((b) => b.until === undefined || b.until === null || b.until > b.start, { message: 'until must be after start', path: ['until'] });

export const GET = route('read', async (req) => {
  const ref = new URL(req.url).searchParams.get('cluster');
  try {
    let ids: string[] | undefined;
    if (ref) {
      const c = await getCluster(ref);
      if (!c) return errorResponse('not-found', `no cluster "${ref}"`);
      ids = [c.id];
    }
    return NextResponse.json({ maintenance: await listMaintenanceWindows(ids) }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return settingsErrorResponse(e);
  }
});

/** Creates a window (editors). One whose start is already past is stored and shown as retroactive, with its author. */
export const POST = route('settings:write', async (req, _p, { principal }) => {
  const body = await readJson(req, MaintenanceBody);
  if (!body.ok) return body.response;
  const b = body.data;
  try {
    let clusterId: string | null = null;
    let scope = 'every cluster';
    if (b.cluster) {
      const c = await getCluster(b.cluster);
      if (!c) return errorResponse('not-found', `no cluster "${b.cluster}"`);
      clusterId = c.id;
      scope = `cluster ${c.name}`;
    }
    const m = await createMaintenanceWindow({
      clusterId, title: b.title, startMs: b.start, durationMs: b.durationMinutes * 60_000, recurrence: b.recurrence, untilMs: b.until ?? null,
      author: { name: principal.actor.name, role: principal.role },
    });
    await audit(principal, {
      action: m.retroactive ? 'maintenance.create-retroactive' : 'maintenance.create',
      target: `maintenance "${m.title}" (${scope})`,
      after: { id: m.id, clusterId, start: new Date(m.startMs).toISOString(), durationMinutes: b.durationMinutes, recurrence: m.recurrence, retroactive: m.retroactive },
    });
    return NextResponse.json({ maintenance: m }, { status: 201 });
  } catch (e) {
    return settingsErrorResponse(e);
  }
});
