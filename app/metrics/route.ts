// GET /metrics: Prometheus text exposition (README "Metrics"). Needs an API token (viewer role is
// enough) or a session: a Prometheus scrape config passes the token with
// `authorization: { type: Bearer, credentials_file: /etc/prometheus/quorum.token }`.
// Outside app/api, so proxy.ts does not match it either (its matcher skips /metrics): the guard
// below is the one check, as for every API route.
import { getMetricsSnapshot } from '@/lib/data/metrics';
import { renderMetrics } from '@/lib/metrics/exposition';
import { route } from '../api/_lib/guard';

export const dynamic = 'force-dynamic';

export const GET = route('read', async () => {
  const { text, contentType } = await renderMetrics(await getMetricsSnapshot());
  return new Response(text, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
});
