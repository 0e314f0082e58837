// POST /api/setup {"token","name","password"}: the one-time setup link creates the first admin and
// signs them in. Refused once any account exists.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { completeSetup, createSession } from '@/lib/data/auth';
import { setSessionCookie } from '@/lib/auth/cookies';
import { readJson } from '../_lib/respond';
import { audit, publicRoute } from '../_lib/guard';

export const dynamic = 'force-dynamic';

const Body = z.object({ token: z.string().min(1).max(200), name: z.string().trim().min(1, 'name is required').max(200), password: z.string().min(1, 'password is required').max(1024) }).strict();

export const POST = publicRoute(async (req, _p, { cfg, clientAddress }) => {
  const body = await readJson(req, Body);
  if (!body.ok) return body.response;
  const user = await completeSetup(body.data.token, { name: body.data.name, password: body.data.password });
  await audit({ name: user.name, kind: 'user', role: 'admin', clientAddress }, { action: 'user.create', target: `user ${user.name}`, after: { role: 'admin', via: 'setup link' } });
  const s = await createSession(user.id, { method: 'password', clientAddress, userAgent: req.headers.get('user-agent'), idleMs: cfg.sessionIdleMs, maxMs: cfg.sessionMaxMs });
  const res = NextResponse.json({ user: { name: user.name, role: user.role } }, { status: 201 });
  setSessionCookie(res, cfg, s.cookie, s.expiresAt);
  return res;
});
