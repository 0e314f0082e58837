// Users (admins): GET lists them, POST {"name","role","password"?} adds one (no password: the account
// is claimed by the first single sign-on with that user name).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { createUser, listUsers } from '@/lib/data/auth';
import { ROLES } from '@/lib/auth/roles';
import { readJson } from '../_lib/respond';
import { audit, route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('access:manage', async () => NextResponse.json({ users: await listUsers() }, { headers: { 'cache-control': 'no-store' } }));

const Body = z.object({ name: z.string().min(1, 'name is required').max(200), role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }), password: z.string().max(1024).optional() }).strict();

export const POST = route('access:manage', async (req, _p, { principal }) => {
  const body = await readJson(req, Body);
  if (!body.ok) return body.response;
  const user = await createUser({ name: body.data.name, role: body.data.role, ...(body.data.password ? { password: body.data.password } : {}) });
  await audit(principal, { action: 'user.create', target: `user ${user.name}`, after: { role: user.role, local: user.local } });
  return NextResponse.json({ user }, { status: 201 });
});
