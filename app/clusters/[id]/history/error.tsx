'use client';

import { ErrorView } from '@/components/error-view';

export default function HistoryError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="the samples of this cluster" />;
}
