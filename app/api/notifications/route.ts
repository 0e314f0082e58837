// GET /api/notifications: the newest notifications of the outbox (transition, alert, cluster,
// silenced by maintenance or not) with the state of each delivery (pending, delivered, failed …).
import { NextResponse } from 'next/server';
import { listRecentNotifications } from '@/lib/data/deliveries';
import { route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async () => NextResponse.json({ notifications: await listRecentNotifications(100) }, { headers: { 'cache-control': 'no-store' } }));
