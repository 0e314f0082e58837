// Alerting inside the collector process: after each collector cycle, one evaluation pass (rules →
// states → outbox) and one dispatch pass (outbox → channels); between cycles the dispatcher wakes
// for the next due retry. Never two passes at once in one process (a cycle that ends while a pass
// runs asks for one more), never in the way of the probe schedule (it is not awaited by the
// collector), and every failure is logged, never thrown: the database being down only means the
// evaluation happens when it is back — from what is stored, so nothing is lost.
import { describeError } from '../errors';
import { nextDueMs, pruneAlertHistory } from '../data/deliveries';
import { outboundPolicy } from '../net/outbound';
import { createDispatcher } from './dispatch';
import { evaluateAlerts } from './evaluate';

export interface AlertTaskDeps {
  now: () => number;
  intervalMs: number;
  publicUrl: string | null;
  log: (line: Record<string, unknown>) => void;
}

const MIN_WAKE_MS = 250;
const PRUNE_EVERY_MS = 3_600_000;

export function createAlertTask(deps: AlertTaskDeps) {
  const dispatcher = createDispatcher({ now: deps.now, policy: outboundPolicy, publicUrl: deps.publicUrl, log: deps.log });
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let wake: NodeJS.Timeout | undefined;
  let lastPrune = 0;

  async function dispatchOnce(): Promise<void> {
    const d = await dispatcher.pass();
    if (d.messages > 0) deps.log({ event: 'notifications', ...d });
  }

  /** Sleeps until the next due retry (at most one interval: the next cycle dispatches anyway). */
  async function scheduleWake(): Promise<void> {
    clearTimeout(wake);
    if (stopped) return;
    const due = await nextDueMs().catch(() => null);
    if (due === null) return;
    const inMs = Math.min(deps.intervalMs, Math.max(MIN_WAKE_MS, due - deps.now()));
    wake = setTimeout(() => void run(false), inMs);
    wake.unref();
  }

  async function work(evaluate: boolean): Promise<void> {
    try {
      if (evaluate) {
        const s = await evaluateAlerts({ now: deps.now, intervalMs: deps.intervalMs, publicUrl: deps.publicUrl, log: deps.log });
        if (s.transitions > 0 || s.notifications > 0 || s.lostRaces > 0) deps.log({ event: 'alerts', ...s });
      }
      await dispatchOnce();
      if (deps.now() - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = deps.now();
        const p = await pruneAlertHistory(deps.now());
        if (p.attempts || p.notifications) deps.log({ event: 'alert-history-pruned', ...p });
      }
    } catch (e) {
      deps.log({ event: 'alerts-error', error: describeError(e) });
    } finally {
      await scheduleWake();
    }
  }

  /** Starts a pass unless one runs (then one more follows it). */
  function run(evaluate: boolean): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      if (evaluate) again = true;
      return running;
    }
    running = work(evaluate).finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        void run(true);
      }
    });
    return running;
  }

  return {
    /** Call after each collector cycle. */
    afterCycle: (): Promise<void> => run(true),
    /** Dispatch only (tests, and the wake timer). */
    dispatch: (): Promise<void> => run(false),
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(wake);
      await running?.catch(() => undefined);
    },
  };
}
