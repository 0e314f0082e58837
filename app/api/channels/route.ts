// Notification channels: GET lists them (viewers too: names, kinds, scheme://host — never a secret);
// POST creates one (admins): {"name","kind":"alertmanager|slack|webhook","secret":{…},"settings"?,"enabled"?}.
//   alertmanager  secret {"urls":["http://am-0:9093","http://am-1:9093"],"bearerToken"?}
//   slack         secret {"url":"https://hooks.slack.com/services/…"}
//   webhook       secret {"url":"https://…","hmacSecret":"≥ 16 characters","bearerToken"?}
//   settings      {"minSeverity":"page|ticket|info","sendResolved":true,"timeoutMs":5000}
// Every URL must pass the outbound policy (422 outbound-denied). Audited (never the secret).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { createChannel, listChannels, type ChannelView } from '@/lib/data/channels';
import { CHANNEL_KINDS } from '@/lib/alerts/channels';
import { readJson } from '../_lib/respond';
import { audit, route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

/** What the audit log keeps of a channel: everything but secrets. */
export const auditView = (c: ChannelView): Record<string, unknown> => ({ name: c.name, kind: c.kind, enabled: c.enabled, target: c.target, settings: c.settings });

export const GET = route('read', async () => NextResponse.json({ channels: await listChannels() }, { headers: { 'cache-control': 'no-store' } }));

const Body = z
  .object({
    name: z.string().min(1, 'name is required').max(64),
    kind: z.enum(CHANNEL_KINDS, { error: `kind must be one of ${CHANNEL_KINDS.join(', ')}` }),
    enabled: z.boolean().optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    secret: z.record(z.string(), z.unknown(), { error: 'secret must be an object (see the README: Channels)' }),
  })
  .strict();

export const POST = route('channels:write', async (req, _p, { principal }) => {
  const body = await readJson(req, Body);
  if (!body.ok) return body.response;
  const c = await createChannel({ ...body.data, createdBy: principal.actor.name });
  await audit(principal, { action: 'channel.create', target: `channel ${c.name}`, after: auditView(c) });
  return NextResponse.json({ channel: c }, { status: 201 });
});
