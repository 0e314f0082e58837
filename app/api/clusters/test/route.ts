import { NextResponse } from 'next/server';
import { z } from 'zod';
import { testConnection } from '@/lib/k8s/connection';
import { errorResponse, readJson } from '../../_lib/respond';
import { route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

const TestBody = z.object({
  kubeconfig: z.string().min(1, 'kubeconfig is required'),
  context: z.string().min(1).optional(),
});

/**
 * "Test connection": apiserver version and whether /readyz?verbose may be read. A failed test answers
 * with the classified error and its HTTP status (admins only: it makes the server connect somewhere); nothing from the kubeconfig but the server URL comes back.
 */
export const POST = route('clusters:write', async (req) => {
  const body = await readJson(req, TestBody);
  if (!body.ok) return body.response;
  const result = await testConnection({
    kubeconfigText: body.data.kubeconfig,
    ...(body.data.context ? { context: body.data.context } : {}),
  });
  if (!result.ok) {
    const err = result.error ?? { errorClass: 'internal' as const, message: 'connection test failed' };
    return errorResponse(err.errorClass, err.message, { ok: false, server: result.server });
  }
  return NextResponse.json({
    ok: true,
    server: result.server,
    context: result.context ?? null,
    version: result.version ?? null,
    readyz: result.readyz ?? null,
  });
});
