// One channel by id or name: GET (viewers), PATCH {"name"?,"enabled"?,"settings"?,"secret"?} and DELETE (admins).
// A `secret` patch is merged into the stored one field by field (give only what changes).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getChannel, removeChannel, updateChannel } from '@/lib/data/channels';
import { errorResponse, readJson } from '../../_lib/respond';
import { audit, route } from '../../_lib/guard';
import { auditView } from '../route';

export const dynamic = 'force-dynamic';

export const GET = route<{ id: string }>('read', async (_req, { id }) => {
  const c = await getChannel(id);
  return c ? NextResponse.json({ channel: c }) : errorResponse('not-found', `no channel "${id.slice(0, 80)}"`);
});

const Patch = z
  .object({
    name: z.string().min(1).max(64).optional(),
    enabled: z.boolean().optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    secret: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const PATCH = route<{ id: string }>('channels:write', async (req, { id }, { principal }) => {
  const body = await readJson(req, Patch);
  if (!body.ok) return body.response;
  const r = await updateChannel(id, body.data);
  if (!r) return errorResponse('not-found', `no channel "${id.slice(0, 80)}"`);
  await audit(principal, { action: 'channel.update', target: `channel ${r.after.name}`, before: auditView(r.before), after: { ...auditView(r.after), ...(body.data.secret ? { secret: `changed: ${Object.keys(body.data.secret).join(', ')}` } : {}) } });
  return NextResponse.json({ channel: r.after });
});

export const DELETE = route<{ id: string }>('channels:write', async (_req, { id }, { principal }) => {
  const c = await removeChannel(id);
  if (!c) return errorResponse('not-found', `no channel "${id.slice(0, 80)}"`);
  await audit(principal, { action: 'channel.remove', target: `channel ${c.name}`, before: auditView(c) });
  return NextResponse.json({ removed: c });
});
