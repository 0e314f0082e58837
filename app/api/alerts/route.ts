// GET /api/alerts: the rules, their settings, and every alert that is pending or firing now (with the
// maintenance window silencing it, if any).
import { NextResponse } from 'next/server';
import { getAlertsView } from '@/lib/data/alerts';
import { route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async () => NextResponse.json(await getAlertsView(), { headers: { 'cache-control': 'no-store' } }));
