'use client';

import { ErrorView } from '@/components/error-view';

export default function SloError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="the SLO of this cluster" />;
}
