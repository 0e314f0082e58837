// DELETE /api/tokens/{id or name} (admins): revokes the token; it stops working at once.
import { NextResponse } from 'next/server';
import { revokeApiToken } from '@/lib/data/auth';
import { errorResponse } from '../../_lib/respond';
import { audit, route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

export const DELETE = route<{ id: string }>('access:manage', async (_req, { id }, { principal }) => {
  const r = await revokeApiToken(id, principal.actor.name);
  if (!r) return errorResponse('not-found', `no token "${id.slice(0, 80)}"`);
  if (r.before.revokedAt === null) await audit(principal, { action: 'token.revoke', target: `token ${r.after.name}`, before: { role: r.before.role, lastUsedAt: r.before.lastUsedAt }, after: { revokedAt: r.after.revokedAt } });
  return NextResponse.json({ revoked: r.after });
});
