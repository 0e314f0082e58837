'use client';

import { ErrorView } from '@/components/error-view';

export default function OutagesError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="the outages of this cluster" />;
}
