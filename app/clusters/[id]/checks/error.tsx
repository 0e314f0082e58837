'use client';

import { ErrorView } from '@/components/error-view';

export default function ChecksError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="the checks of this cluster" />;
}
