// The alert state machine (pure): inactive → pending → firing → (resolved) inactive, with the
// repeat interval and maintenance silences. One step per evaluation; the transitions it returns
// become rows of the notification outbox, each with a dedupe key so the same transition is never
// stored twice (two collector replicas, a retry after a crash).
import type { Condition, RuleId, Severity } from './rules';

export type AlertStatus = 'inactive' | 'pending' | 'firing';

export interface StoredAlert {
  status: AlertStatus;
  severity: Severity;
  pendingSinceMs: number | null;
  /** startsAt of the current firing; null unless firing. */
  firingSinceMs: number | null;
  /** The firing was notified (false while silenced from the start). */
  notified: boolean;
  /** Repeat notifications already sent for this firing. */
  repeats: number;
  /** The maintenance window silencing it now, if any (shown in the UI). */
  silencedBy: string | null;
  summary: string;
  labels: Record<string, string>;
}

export type TransitionKind = 'firing' | 'resolved' | 'repeat';

export interface Transition {
  kind: TransitionKind;
  startsAtMs: number;
  /** Resolved: when it ended. */
  endsAtMs: number | null;
  /** Repeat number (1, 2 …) of a repeat notification. */
  repeat: number | null;
  /** Set: recorded but not delivered (a maintenance window silences it). */
  silencedBy: string | null;
}

export interface StepContext {
  nowMs: number;
  /** Title of the maintenance window covering the cluster now, or null. */
  silencedBy: string | null;
  /** 0 = never repeat. */
  repeatIntervalMs: number;
}

export interface StepResult {
  next: StoredAlert;
  transitions: Transition[];
  /** Anything worth writing changed (status, notification bookkeeping, silence, severity). */
  changed: boolean;
}

const INACTIVE: Readonly<StoredAlert> = { status: 'inactive', severity: 'ticket', pendingSinceMs: null, firingSinceMs: null, notified: false, repeats: 0, silencedBy: null, summary: '', labels: {} };

export function step(prevOrNull: StoredAlert | null, cond: Condition, ctx: StepContext): StepResult {
  const prev = prevOrNull ?? INACTIVE;
  const { nowMs, silencedBy } = ctx;
  const base = { severity: cond.severity, summary: cond.summary, labels: cond.labels };
  const transitions: Transition[] = [];
  let next: StoredAlert;

  if (cond.active) {
    if (prev.status !== 'firing') {
      const startsAtMs = Math.min(nowMs, cond.sinceMs ?? nowMs);
      transitions.push({ kind: 'firing', startsAtMs, endsAtMs: null, repeat: null, silencedBy });
      next = { ...base, status: 'firing', pendingSinceMs: null, firingSinceMs: startsAtMs, notified: silencedBy === null, repeats: 0, silencedBy };
    } else {
      const startsAtMs = prev.firingSinceMs ?? nowMs;
      let notified = prev.notified;
      let repeats = prev.repeats;
      if (!notified && silencedBy === null) {
        // The silence ended while it still fires: notify it now, with its original start.
        transitions.push({ kind: 'firing', startsAtMs, endsAtMs: null, repeat: null, silencedBy: null });
        notified = true;
      } else if (notified && ctx.repeatIntervalMs > 0) {
        const due = Math.floor((nowMs - startsAtMs) / ctx.repeatIntervalMs);
        if (due > repeats) {
          if (silencedBy === null) transitions.push({ kind: 'repeat', startsAtMs, endsAtMs: null, repeat: due, silencedBy: null });
          repeats = due; // a repeat that falls inside maintenance is skipped, not sent late
        }
      }
      next = { ...base, status: 'firing', pendingSinceMs: null, firingSinceMs: startsAtMs, notified, repeats, silencedBy };
    }
  } else {
    if (prev.status === 'firing') {
      const startsAtMs = prev.firingSinceMs ?? nowMs;
      // What was notified is closed even inside maintenance (a receiver must not keep it open);
      // a firing that was silenced from its start resolves silently (recorded as silenced).
      transitions.push({ kind: 'resolved', startsAtMs, endsAtMs: nowMs, repeat: null, silencedBy: prev.notified ? null : (silencedBy ?? prev.silencedBy ?? 'maintenance') });
    }
    if (cond.pending) {
      next = { ...base, status: 'pending', pendingSinceMs: prev.status === 'pending' ? prev.pendingSinceMs : nowMs, firingSinceMs: null, notified: false, repeats: 0, silencedBy };
    } else {
      next = { ...base, status: 'inactive', pendingSinceMs: null, firingSinceMs: null, notified: false, repeats: 0, silencedBy: null };
    }
  }
  const changed =
    prevOrNull === null
      ? next.status !== 'inactive'
      : next.status !== prev.status || next.notified !== prev.notified || next.repeats !== prev.repeats || next.silencedBy !== prev.silencedBy || next.severity !== prev.severity || next.firingSinceMs !== prev.firingSinceMs;
  return { next, transitions, changed: changed || transitions.length > 0 };
}

/** The outbox identity of a transition: cluster | rule | component | transition | start (| repeat) (| silenced). */
export function dedupeKey(clusterId: string, rule: RuleId, component: string, t: Transition): string {
  return [clusterId, rule, component, t.kind, String(t.startsAtMs), ...(t.repeat !== null ? [String(t.repeat)] : []), ...(t.silencedBy !== null ? ['silenced'] : [])].join('|');
}

/** The outbox identity of an event notice (a failover). */
export function eventDedupeKey(clusterId: string, rule: RuleId, component: string, eventKey: string): string {
  return [clusterId, rule, component, 'event', eventKey].join('|');
}
