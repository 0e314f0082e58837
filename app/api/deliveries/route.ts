// GET /api/deliveries?channel=<id or name>&outcome=ok|retry|failed&page=N — the delivery log (every
// HTTP attempt: time, channel, target, status, error), newest first, 100 per page.
import { NextResponse } from 'next/server';
import { listDeliveryAttempts } from '@/lib/data/deliveries';
import { getChannel } from '@/lib/data/channels';
import { parseDeliveryQuery } from '@/app/alerts/deliveries/search-params';
import { errorResponse } from '../_lib/respond';
import { route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async (req) => {
  const q = parseDeliveryQuery(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.ok) return errorResponse('bad-request', q.message);
  const channel = q.query.channel ? await getChannel(q.query.channel) : null;
  if (q.query.channel && !channel) return errorResponse('not-found', `no channel "${q.query.channel.slice(0, 80)}"`);
  const r = await listDeliveryAttempts({ ...(channel ? { channelId: channel.id } : {}), ...(q.query.outcome ? { outcome: q.query.outcome } : {}) }, { limit: 100, offset: (q.query.page - 1) * 100 });
  return NextResponse.json({ ...r, page: q.query.page }, { headers: { 'cache-control': 'no-store' } });
});
