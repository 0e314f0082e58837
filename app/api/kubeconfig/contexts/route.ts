import { NextResponse } from 'next/server';
import { z } from 'zod';
import { parseKubeconfig } from '@/lib/k8s/kubeconfig';
import { readJson } from '../../_lib/respond';
import { route } from '../../_lib/guard';

export const dynamic = 'force-dynamic';

const Body = z.object({ kubeconfig: z.string().min(1, 'kubeconfig is required') });

/** Lists a pasted kubeconfig's contexts (names, cluster, server, namespace — never users' credentials). */
export const POST = route('clusters:write', async (req) => {
  const body = await readJson(req, Body);
  if (!body.ok) return body.response;
  const parsed = parseKubeconfig(body.data.kubeconfig);
  return NextResponse.json({
    contexts: parsed.contexts.map((c) => ({
      name: c.name,
      cluster: c.cluster,
      server: c.server,
      ...(c.namespace ? { namespace: c.namespace } : {}),
    })),
    currentContext: parsed.currentContext ?? null,
  });
});
