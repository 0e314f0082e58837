import { notFound } from 'next/navigation';
import { clusterParam } from './cluster-param';
import type { ReactNode } from 'react';
import { getCluster } from '@/lib/data/clusters';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';

/**
 * Resolves the id before the segment's loading.tsx starts streaming, so an unknown cluster is a real
 * HTTP 404 (a notFound() thrown inside the streamed page could only change the body, not the status).
 */
export default async function ClusterLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  await requirePage();
  const { id } = await params;
  const cluster = await getCluster(clusterParam(id));
  if (!cluster) notFound();
  return children;
}
