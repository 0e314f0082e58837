'use client';

import { ErrorView } from '@/components/error-view';

export default function QuorumError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="Quorum's own collectors" />;
}
