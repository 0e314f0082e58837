'use client';

import { ErrorView } from '@/components/error-view';

export default function AlertsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="the alerts" />;
}
