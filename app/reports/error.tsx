'use client';

import { ErrorView } from '@/components/error-view';

export default function ReportsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} what="the report" />;
}
