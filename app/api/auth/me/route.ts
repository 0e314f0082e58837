// GET /api/auth/me: who the caller is (user or token) and the role.
import { NextResponse } from 'next/server';
import { route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async (_req, _p, { principal }) =>
  NextResponse.json({ kind: principal.kind, name: principal.name, role: principal.role }, { headers: { 'cache-control': 'no-store' } }),
);
