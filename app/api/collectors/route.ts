// GET /api/collectors?window=7d — "Quorum itself" as JSON: the collectors (heartbeat, state, owned
// clusters, last cycle), clusters no live collector owns, and the takeovers of the window with their gaps.
import { NextResponse } from 'next/server';
import { parseQuorumWindow } from '@/app/quorum/search-params';
import { getQuorumItself } from '@/lib/data/collectors';
import { presetMs } from '@/lib/slo/range';
import { errorResponse } from '../_lib/respond';
import { route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async (req) => {
  const { window, error } = parseQuorumWindow(Object.fromEntries(new URL(req.url).searchParams));
  if (error) return errorResponse('bad-request', error);
  const now = Date.now();
  return NextResponse.json(await getQuorumItself({ since: new Date(now - presetMs(window)), now }), { headers: { 'cache-control': 'no-store' } });
});
