'use client';

// Settings forms: cluster labels, probe settings (extra Leases, DNS servers), SLO policies and
// maintenance windows. Each posts to the JSON API and shows its classified error next to the form;
// the server validates again (zod), the client only pre-checks what it can.
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { requestJson, type ApiErr } from '@/components/request-json';

export type { ApiErr };

export function useSubmit() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErr | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  async function run(method: string, url: string, body: unknown, done: string) {
    setBusy(true);
    setError(null);
    setSaved(null);
    const r = await requestJson(method, url, body);
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return false;
    }
    setSaved(done);
    router.refresh();
    return true;
  }
  return { busy, error, saved, run, setError };
}

/** A classified API error as the forms show it: "<class>: <message>", announced. */
export function ErrorLine({ id, error }: { id?: string; error: ApiErr }) {
  return (
    <p id={id} className="form-error" role="alert">
      <code>{error.class}</code>: {error.message}
    </p>
  );
}

export function Outcome({ id, error, saved }: { id: string; error: ApiErr | null; saved?: string | null }) {
  return (
    <div aria-live="polite">
      {error ? <ErrorLine id={id} error={error} /> : null}
      {saved ? <p className="result-ok">{saved}</p> : null}
    </div>
  );
}

export function Field({ id, label, hint, children }: { id: string; label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function LabelsForm({ clusterId, labels }: { clusterId: string; labels: string }) {
  const uid = useId();
  const [value, setValue] = useState(labels);
  const s = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    await s.run('PATCH', `/api/clusters/${encodeURIComponent(clusterId)}`, { labels: value }, 'Labels saved.');
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Labels">
      <Field id={`${uid}-labels`} label="Labels" hint="Comma-separated key=value pairs; empty clears them.">
        <input id={`${uid}-labels`} type="text" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={s.error ? true : undefined} aria-describedby={`${uid}-labels-hint${s.error ? ` ${uid}-err` : ''}`} autoComplete="off" />
      </Field>
      <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
      <div className="row">
        <button type="submit" className="primary" disabled={s.busy}>
          {s.busy ? 'Saving…' : 'Save labels'}
        </button>
      </div>
    </form>
  );
}

export function ProbeSettingsForm({ clusterId, leases, dnsServers }: { clusterId: string; leases: string[]; dnsServers: string[] }) {
  const uid = useId();
  const [l, setL] = useState(leases.join('\n'));
  const [d, setD] = useState(dnsServers.join('\n'));
  const s = useSubmit();
  const split = (t: string) => t.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    await s.run('PATCH', `/api/clusters/${encodeURIComponent(clusterId)}`, { leases: split(l), dnsServers: split(d) }, 'Probe settings saved; the collector applies them on its next cycle.');
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Probe settings">
      <Field id={`${uid}-leases`} label="Extra Leases to watch" hint="One namespace/name per line, e.g. cert-manager/cert-manager-controller (besides kube-scheduler, kube-controller-manager, cloud-controller-manager).">
        <textarea id={`${uid}-leases`} value={l} onChange={(e) => setL(e.target.value)} style={{ minHeight: '5rem' }} aria-describedby={`${uid}-leases-hint`} />
      </Field>
      <Field id={`${uid}-dns`} label="Extra DNS servers to query" hint="One IP[:port] per line, e.g. 10.96.0.10 or [fd00::a]:53.">
        <textarea id={`${uid}-dns`} value={d} onChange={(e) => setD(e.target.value)} style={{ minHeight: '4rem' }} aria-describedby={`${uid}-dns-hint`} />
      </Field>
      <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
      <div className="row">
        <button type="submit" className="primary" disabled={s.busy}>
          {s.busy ? 'Saving…' : 'Save probe settings'}
        </button>
      </div>
    </form>
  );
}

const WINDOWS = ['7d', '28d', '30d', '90d', 'month', 'quarter'] as const;

/** "99.95" → 0.9995 without float noise; null when not a percentage strictly between 0 and 100. */
function percentToRatio(text: string): number | null {
  if (!/^\d{1,2}(\.\d{1,4})?$/.test(text.trim())) return null;
  const v = Number(text.trim());
  if (!(v > 0 && v < 100)) return null;
  return Number((v / 100).toFixed(6));
}

export function PolicyForm({ clusterId, components }: { clusterId: string; components: string[] }) {
  const uid = useId();
  const [component, setComponent] = useState('*');
  const [pct, setPct] = useState('99.9');
  const [window, setWindow] = useState<(typeof WINDOWS)[number]>('30d');
  const [floorPct, setFloorPct] = useState('');
  const s = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const objective = percentToRatio(pct);
    if (objective === null) {
      s.setError({ class: 'invalid-input', message: 'objective must be a percentage between 0 and 100 with at most 4 decimals, e.g. 99.9' });
      return;
    }
    const floor = floorPct.trim() === '' ? null : /^\d{1,3}(\.\d{1,2})?$/.test(floorPct.trim()) && Number(floorPct) <= 100 ? Number((Number(floorPct) / 100).toFixed(4)) : undefined;
    if (floor === undefined) {
      s.setError({ class: 'invalid-input', message: 'coverage floor must be a percentage from 0 to 100 (empty: the default 75 %)' });
      return;
    }
    await s.run('PUT', `/api/clusters/${encodeURIComponent(clusterId)}/slo-policies`, { component, objective, window, coverageFloor: floor }, `Policy for ${component === '*' ? 'the cluster default' : component} saved.`);
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="SLO policy">
      <div className="row row-end">
        <Field id={`${uid}-component`} label="Component">
          <select id={`${uid}-component`} value={component} onChange={(e) => setComponent(e.target.value)}>
            <option value="*">* (cluster default)</option>
            <option value="control-plane">control-plane (composite)</option>
            {components.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${uid}-objective`} label="Objective (%)">
          <input id={`${uid}-objective`} type="text" inputMode="decimal" value={pct} onChange={(e) => setPct(e.target.value)} aria-invalid={s.error ? true : undefined} aria-describedby={s.error ? `${uid}-err` : undefined} style={{ width: '8rem' }} />
        </Field>
        <Field id={`${uid}-floor`} label="Coverage floor (%)">
          <input id={`${uid}-floor`} type="text" inputMode="decimal" value={floorPct} placeholder="75 (default)" onChange={(e) => setFloorPct(e.target.value)} style={{ width: '7rem' }} aria-describedby={`${uid}-floor-hint`} />
        </Field>
        <Field id={`${uid}-window`} label="Window">
          <select id={`${uid}-window`} value={window} onChange={(e) => setWindow(e.target.value as (typeof WINDOWS)[number])}>
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={s.busy}>
          {s.busy ? 'Saving…' : 'Save policy'}
        </button>
      </div>
      <p className="hint" id={`${uid}-floor-hint`}>
        Coverage floor: the share of the window that must be covered by data before the SLO is judged met, at risk or breached; below it the state is “insufficient data” and the budget is shown in absolute time.
      </p>
      <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
    </form>
  );
}

/** A remove button with a confirmation step (policies, maintenance windows). */
export function ConfirmRemove({ url, what, verb = 'Remove' }: { url: string; what: string; verb?: string }) {
  const [confirming, setConfirming] = useState(false);
  const s = useSubmit();
  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)} aria-label={`${verb} ${what}`}>
        {verb}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: an inline confirm/cancel pair inside a row, not a set of form fields; <fieldset> is a block with its own box.
    <span role="group" aria-label={`Confirm: ${verb.toLowerCase()} ${what}`} className="row">
      <button type="button" className="danger" disabled={s.busy} onClick={() => void s.run('DELETE', url, undefined, 'Done.')}>
        {s.busy ? 'Working…' : `Yes, ${verb.toLowerCase()} ${what}`}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {s.error ? (
        <span className="field-error" role="alert">
          {s.error.class}: {s.error.message}
        </span>
      ) : null}
    </span>
  );
}

export function MaintenanceForm({ cluster }: { cluster: string | null }) {
  const uid = useId();
  const [title, setTitle] = useState('');
  const [start, setStart] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [recurrence, setRecurrence] = useState<'none' | 'daily' | 'weekly'>('none');
  const s = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const durationMinutes = Number(minutes);
    if (!title.trim()) return s.setError({ class: 'invalid-input', message: 'title is required' });
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(start)) return s.setError({ class: 'invalid-input', message: 'start must be a date and time (UTC)' });
    if (!Number.isInteger(durationMinutes) || durationMinutes < 1) return s.setError({ class: 'invalid-input', message: 'duration must be whole minutes ≥ 1' });
    const ok = await s.run('POST', '/api/maintenance', { cluster, title: title.trim(), start: `${start}:00Z`, durationMinutes, recurrence }, 'Maintenance window saved.');
    if (ok) setTitle('');
  }
  const startMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(start) ? Date.parse(`${start}:00Z`) : NaN;
  const retroactive = Number.isFinite(startMs) && startMs < Date.now();
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label={cluster ? 'Maintenance window' : 'Fleet-wide maintenance window'}>
      <div className="row row-end">
        <Field id={`${uid}-title`} label="Title">
          <input id={`${uid}-title`} type="text" value={title} onChange={(e) => setTitle(e.target.value)} autoComplete="off" />
        </Field>
        <Field id={`${uid}-start`} label="Start (UTC)">
          <input id={`${uid}-start`} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
        </Field>
        <Field id={`${uid}-minutes`} label="Duration (minutes)">
          <input id={`${uid}-minutes`} type="number" min={1} max={10080} value={minutes} onChange={(e) => setMinutes(e.target.value)} style={{ width: '7rem' }} />
        </Field>
        <Field id={`${uid}-rec`} label="Repeats">
          <select id={`${uid}-rec`} value={recurrence} onChange={(e) => setRecurrence(e.target.value as 'none' | 'daily' | 'weekly')}>
            <option value="none">once</option>
            <option value="daily">daily</option>
            <option value="weekly">weekly</option>
          </select>
        </Field>
        <button type="submit" className="primary" disabled={s.busy}>
          {s.busy ? 'Saving…' : 'Add maintenance'}
        </button>
      </div>
      {retroactive ? (
        <p className="form-error" role="note">
          This start is in the past: the window will be stored as <strong>retroactive</strong> with your name, and shown so wherever it appears.
        </p>
      ) : null}
      <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
    </form>
  );
}
