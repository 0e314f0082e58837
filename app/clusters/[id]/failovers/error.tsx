'use client';

import { ErrorView } from '@/components/error-view';

export default function FailoversError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="the failovers of this cluster" />;
}
