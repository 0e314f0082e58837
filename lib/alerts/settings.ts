// Rule settings (pure): thresholds, the repeat interval and which rules are on. Stored as one JSON
// row (AlertSettings "global"); a missing row or a missing field means the default below.
import { z } from 'zod';
import { RULE_IDS, type RuleId } from './rules';

export interface AlertSettings {
  /** A state rule fires when its condition held for this many consecutive collector cycles. */
  forCycles: number;
  /** The "no data" rule: the cluster's composite status is unknown for this many minutes. */
  noDataMinutes: number;
  /** A still-firing alert is notified again after this long (0 = never); Alertmanager's default is 4 h. */
  repeatIntervalMinutes: number;
  failover: { mode: 'all' | 'gap-over' | 'off'; minGapSeconds: number };
  rules: Record<RuleId, boolean>;
}

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = {
  forCycles: 3,
  noDataMinutes: 5,
  repeatIntervalMinutes: 240,
  failover: { mode: 'all', minGapSeconds: 15 },
  rules: Object.fromEntries(RULE_IDS.map((r) => [r, true])) as Record<RuleId, boolean>,
};

const rulesShape = Object.fromEntries(RULE_IDS.map((r) => [r, z.boolean().optional()])) as Record<RuleId, z.ZodOptional<z.ZodBoolean>>;

/** What the API and the settings form accept: every field optional (a patch over the stored settings), nothing unknown. */
export const AlertSettingsPatch = z
  .object({
    forCycles: z.number().int('forCycles must be a whole number').min(1, 'forCycles must be at least 1').max(100, 'forCycles is at most 100').optional(),
    noDataMinutes: z.number().int().min(1, 'noDataMinutes must be at least 1').max(1440, 'noDataMinutes is at most 1440 (a day)').optional(),
    repeatIntervalMinutes: z.number().int().min(0, 'repeatIntervalMinutes must be 0 (never) or more').max(10_080, 'repeatIntervalMinutes is at most 10080 (a week)').optional(),
    failover: z
      .object({
        mode: z.enum(['all', 'gap-over', 'off'], { error: 'failover.mode must be all, gap-over or off' }).optional(),
        minGapSeconds: z.number().min(0).max(3600, 'failover.minGapSeconds is at most 3600').optional(),
      })
      .strict()
      .optional(),
    rules: z.object(rulesShape).strict().optional(),
  })
  .strict();

export type AlertSettingsPatchInput = z.infer<typeof AlertSettingsPatch>;

/** Applies a validated patch. */
export function mergeSettings(base: AlertSettings, patch: AlertSettingsPatchInput): AlertSettings {
  const rules = { ...base.rules };
  for (const r of RULE_IDS) {
    const v = patch.rules?.[r];
    if (v !== undefined) rules[r] = v;
  }
  return {
    forCycles: patch.forCycles ?? base.forCycles,
    noDataMinutes: patch.noDataMinutes ?? base.noDataMinutes,
    repeatIntervalMinutes: patch.repeatIntervalMinutes ?? base.repeatIntervalMinutes,
    failover: { mode: patch.failover?.mode ?? base.failover.mode, minGapSeconds: patch.failover?.minGapSeconds ?? base.failover.minGapSeconds },
    rules,
  };
}

/** The stored JSON → settings; anything unreadable falls back to the defaults field by field. */
export function parseStoredSettings(text: string | null | undefined): AlertSettings {
  if (!text) return structuredClone(DEFAULT_ALERT_SETTINGS) as AlertSettings;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return structuredClone(DEFAULT_ALERT_SETTINGS) as AlertSettings;
  }
  const base = structuredClone(DEFAULT_ALERT_SETTINGS) as AlertSettings;
  const parsed = AlertSettingsPatch.safeParse(raw);
  return parsed.success ? mergeSettings(base, parsed.data) : base;
}
