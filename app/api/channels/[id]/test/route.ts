// POST /api/channels/{id}/test (admins): sends a test notification now, through the outbound policy,
// and answers with what each target said (also in the delivery log). Audited.
import { NextResponse } from 'next/server';
import { getChannel } from '@/lib/data/channels';
import { sendTest } from '@/lib/alerts/test-send';
import { errorResponse } from '../../../_lib/respond';
import { audit, route } from '../../../_lib/guard';

export const dynamic = 'force-dynamic';

export const POST = route<{ id: string }>('channels:write', async (_req, { id }, { principal, cfg }) => {
  const c = await getChannel(id);
  if (!c) return errorResponse('not-found', `no channel "${id.slice(0, 80)}"`);
  const r = await sendTest(c.id, principal.actor.name, { publicUrl: cfg.publicUrl?.origin ?? null });
  if (!r) return errorResponse('not-found', `no channel "${id.slice(0, 80)}"`);
  await audit(principal, { action: 'channel.test', target: `channel ${c.name}`, after: { outcome: r.outcome, statuses: r.results.map((x) => x.status) } });
  return NextResponse.json({
    ok: r.outcome === 'ok',
    outcome: r.outcome,
    error: r.error,
    results: r.results.map((x) => ({ target: x.url, status: x.status, error: x.error, durationMs: x.durationMs })),
  });
});
