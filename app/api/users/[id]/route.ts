// One user (admins): PATCH {"role"?, "disabled"?, "password"?}, DELETE. The last enabled admin cannot
// be demoted, disabled or removed. Changes end the user's sessions.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { deleteUser, updateUser } from '@/lib/data/auth';
import { ROLES } from '@/lib/auth/roles';
import { readJson } from '../../_lib/respond';
import { audit, route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

type Params = { id: string };

const Patch = z
  .object({ role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }).optional(), disabled: z.boolean().optional(), password: z.string().min(1).max(1024).optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.password !== undefined, 'give role, disabled or password');

export const PATCH = route<Params>('access:manage', async (req, { id }, { principal }) => {
  const body = await readJson(req, Patch);
  if (!body.ok) return body.response;
  const { before, after } = await updateUser(id, body.data);
  await audit(principal, {
    action: body.data.password !== undefined ? 'user.password' : body.data.role !== undefined ? 'user.role' : 'user.update',
    target: `user ${before.name}`,
    before: { role: before.role, disabled: before.disabled },
    after: { role: after?.role, disabled: after?.disabled, ...(body.data.password !== undefined ? { password: 'changed' } : {}) },
  });
  return NextResponse.json({ user: after });
});

export const DELETE = route<Params>('access:manage', async (_req, { id }, { principal }) => {
  const { before } = await deleteUser(id);
  await audit(principal, { action: 'user.remove', target: `user ${before.name}`, before: { role: before.role, local: before.local, oidc: before.oidc } });
  return NextResponse.json({ removed: { id: before.id, name: before.name } });
});
