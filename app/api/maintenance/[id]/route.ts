import { NextResponse } from 'next/server';
import { getMaintenanceWindow, removeMaintenanceWindow } from '@/lib/data/slo';
import { errorResponse } from '../../_lib/respond';
import { settingsErrorResponse } from '../../_lib/settings-errors';
import { audit, route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

/** Removes one maintenance window (editors). */
export const DELETE = route<{ id: string }>('settings:write', async (_req, { id }, { principal }) => {
  if (!/^[0-9a-f-]{36}$/.test(id)) return errorResponse('bad-request', `"${id.slice(0, 80)}" is not a maintenance window id`);
  try {
    const before = await getMaintenanceWindow(id);
    if (!before || !(await removeMaintenanceWindow(id))) return errorResponse('not-found', `no maintenance window "${id}"`);
    await audit(principal, {
      action: 'maintenance.remove',
      target: `maintenance "${before.title}"`,
      before: { id, clusterId: before.clusterId, start: new Date(before.startMs).toISOString(), durationMs: before.durationMs, recurrence: before.recurrence, createdBy: before.createdBy, retroactive: before.retroactive },
    });
    return NextResponse.json({ removed: { id } });
  } catch (e) {
    return settingsErrorResponse(e);
  }
});
