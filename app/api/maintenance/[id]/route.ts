import { NextResponse } from 'next/server';
import { removeMaintenanceWindow } from '@/lib/data/slo';
import { errorResponse } from '../../_lib/respond';
import { settingsErrorResponse } from '../../_lib/settings-errors';

export const dynamic = 'force-dynamic';

/** Removes one maintenance window. */
export async function DELETE(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/.test(id)) return errorResponse('bad-request', `"${id.slice(0, 80)}" is not a maintenance window id`);
  try {
    if (!(await removeMaintenanceWindow(id))) return errorResponse('not-found', `no maintenance window "${id}"`);
    return NextResponse.json({ removed: { id } });
  } catch (e) {
    return settingsErrorResponse(e);
  }
}
