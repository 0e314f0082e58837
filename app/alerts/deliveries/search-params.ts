// URL state of /alerts/deliveries and GET /api/deliveries: ?channel=<id or name>&outcome=ok|retry|failed&page=N
import { z } from 'zod';
import { parseSearchParams } from '../../_lib/search-params';

export const DELIVERY_PAGE_SIZE = 100;
export const OUTCOMES = ['ok', 'retry', 'failed'] as const;

const Query = z.object({
  channel: z.string().trim().min(1).max(200).optional(),
  outcome: z.enum(OUTCOMES, { error: 'outcome must be ok, retry or failed' }).optional(),
  page: z.coerce.number({ error: 'page must be a number' }).int('page must be a whole number').min(1, 'page must be 1 or more').max(100_000).default(1),
});

export interface DeliveryQuery {
  channel?: string;
  outcome?: (typeof OUTCOMES)[number];
  page: number;
}

export function parseDeliveryQuery(params: Record<string, string | string[] | undefined>): { ok: true; query: DeliveryQuery } | { ok: false; message: string } {
  const r = parseSearchParams(Query, params);
  if (!r.ok) return r;
  const q: DeliveryQuery = { page: r.data.page, ...(r.data.channel ? { channel: r.data.channel } : {}), ...(r.data.outcome ? { outcome: r.data.outcome } : {}) };
  return { ok: true, query: q };
}
