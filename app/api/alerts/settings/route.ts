// GET /api/alerts/settings (viewers), PUT (editors): a patch, e.g. {"forCycles":3,"noDataMinutes":5,
// "repeatIntervalMinutes":240,"failover":{"mode":"gap-over","minGapSeconds":15},"rules":{"headroom-lost":false}}.
import { NextResponse } from 'next/server';
import { getAlertSettings, updateAlertSettings } from '@/lib/data/alerts';
import { AlertSettingsPatch } from '@/lib/alerts/settings';
import { readJson } from '../../_lib/respond';
import { audit, route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async () => NextResponse.json({ settings: await getAlertSettings() }));

export const PUT = route('settings:write', async (req, _p, { principal }) => {
  const body = await readJson(req, AlertSettingsPatch);
  if (!body.ok) return body.response;
  const r = await updateAlertSettings(body.data, principal.actor.name);
  await audit(principal, { action: 'alerts.settings', target: 'alert rules', before: r.before, after: r.after });
  return NextResponse.json({ settings: r.after });
});
