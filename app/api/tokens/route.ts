// API tokens (admins): GET lists them (never the token), POST {"name","role","expiresInDays"?} creates
// one and returns it ONCE — only its SHA-256 is stored.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { createApiToken, listApiTokens } from '@/lib/data/auth';
import { ROLES } from '@/lib/auth/roles';
import { readJson } from '../_lib/respond';
import { audit, route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('access:manage', async () => NextResponse.json({ tokens: await listApiTokens() }, { headers: { 'cache-control': 'no-store' } }));

const Body = z
  .object({
    name: z.string().min(1, 'name is required').max(200),
    role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }),
    expiresInDays: z.number({ error: 'expiresInDays must be a number' }).int('expiresInDays must be whole days').min(1).max(3650).nullable().optional(),
  })
  .strict();

export const POST = route('access:manage', async (req, _p, { principal }) => {
  const body = await readJson(req, Body);
  if (!body.ok) return body.response;
  const expiresAt = body.data.expiresInDays ? new Date(Date.now() + body.data.expiresInDays * 86_400_000) : null;
  const { token, view } = await createApiToken({ name: body.data.name, role: body.data.role, createdBy: principal.actor.name, expiresAt });
  await audit(principal, { action: 'token.create', target: `token ${view.name}`, after: { role: view.role, prefix: view.prefix, expiresAt: view.expiresAt } });
  return NextResponse.json({ token, tokenInfo: view }, { status: 201, headers: { 'cache-control': 'no-store' } });
});
