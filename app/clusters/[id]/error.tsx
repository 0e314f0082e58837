'use client';

import { ErrorView } from '@/components/error-view';

export default function ClusterError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="this cluster" />;
}
