// URL state of "Quorum itself": ?window=7d|28d|30d|90d (default 7d), validated like the overview's.
import type { RangePreset } from '@/lib/slo/range';
import { parseWindowParam } from '../clusters/[id]/search-params';

const QUORUM_DEFAULT_WINDOW: RangePreset = '7d';

export const parseQuorumWindow = (raw: Record<string, string | string[] | undefined>): { window: RangePreset; error: string | null } => parseWindowParam(raw, QUORUM_DEFAULT_WINDOW);
