'use client';

// Alerting forms: add / edit a notification channel, send a test, enable/disable; the rule
// settings. Each calls the JSON API and shows its classified error next to the form; the server
// validates everything again (and checks every URL against the outbound policy).
import { useId, useState, type FormEvent } from 'react';
import { ErrorLine, Field, Outcome, useSubmit, type ApiErr } from '@/components/settings/forms';
import { requestJson } from '@/components/request-json';

type Kind = 'alertmanager' | 'slack' | 'webhook';
type Severity = 'page' | 'ticket' | 'info';

const KIND_LABEL: Record<Kind, string> = { alertmanager: 'Alertmanager', slack: 'Slack-compatible webhook', webhook: 'Generic webhook (signed JSON)' };
const lines = (t: string): string[] => t.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

function randomSecret(): string {
  const b = new Uint8Array(24);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b)).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

function SettingsFields({ uid, minSeverity, setMinSeverity, sendResolved, setSendResolved, timeoutMs, setTimeoutMs, kind }: { uid: string; minSeverity: Severity; setMinSeverity: (s: Severity) => void; sendResolved: boolean; setSendResolved: (b: boolean) => void; timeoutMs: string; setTimeoutMs: (s: string) => void; kind: Kind }) {
  return (
    <div className="row row-end">
      <Field id={`${uid}-sev`} label="Send from severity">
        <select id={`${uid}-sev`} value={minSeverity} onChange={(e) => setMinSeverity(e.target.value as Severity)}>
          <option value="info">info (everything, failovers too)</option>
          <option value="ticket">ticket and page</option>
          <option value="page">page only</option>
        </select>
      </Field>
      <Field id={`${uid}-timeout`} label="Timeout (ms)">
        <input id={`${uid}-timeout`} type="number" min={500} max={60000} value={timeoutMs} onChange={(e) => setTimeoutMs(e.target.value)} style={{ width: '8rem' }} />
      </Field>
      {kind === 'alertmanager' ? null : (
        <label className="row" htmlFor={`${uid}-resolved`} style={{ gap: '0.4rem' }}>
          <input id={`${uid}-resolved`} type="checkbox" checked={sendResolved} onChange={(e) => setSendResolved(e.target.checked)} /> Send “resolved”
        </label>
      )}
    </div>
  );
}

export function AddChannelForm() {
  const uid = useId();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('alertmanager');
  const [urls, setUrls] = useState('');
  const [url, setUrl] = useState('');
  const [hmac, setHmac] = useState('');
  const [bearer, setBearer] = useState('');
  const [minSeverity, setMinSeverity] = useState<Severity>('info');
  const [sendResolved, setSendResolved] = useState(true);
  const [timeoutMs, setTimeoutMs] = useState('5000');
  const s = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const secret =
      kind === 'alertmanager' ? { urls: lines(urls), ...(bearer ? { bearerToken: bearer } : {}) } : kind === 'slack' ? { url: url.trim() } : { url: url.trim(), hmacSecret: hmac, ...(bearer ? { bearerToken: bearer } : {}) };
    const ok = await s.run('POST', '/api/channels', { name: name.trim(), kind, secret, settings: { minSeverity, sendResolved, timeoutMs: Number(timeoutMs) } }, `Channel ${name.trim()} added. Use “Send test” to check it.`);
    if (ok) {
      setName('');
      setUrls('');
      setUrl('');
      setHmac('');
      setBearer('');
    }
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Add a channel">
      <div className="row row-end">
        <Field id={`${uid}-name`} label="Name">
          <input id={`${uid}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" placeholder="e.g. sre-alertmanager" />
        </Field>
        <Field id={`${uid}-kind`} label="Kind">
          <select id={`${uid}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {(Object.keys(KIND_LABEL) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {kind === 'alertmanager' ? (
        <Field id={`${uid}-urls`} label="Alertmanager URLs" hint="One per line; every URL of an HA pair gets every alert (Quorum posts to /api/v2/alerts).">
          <textarea id={`${uid}-urls`} value={urls} onChange={(e) => setUrls(e.target.value)} style={{ minHeight: '4rem' }} placeholder={'http://alertmanager-0:9093\nhttp://alertmanager-1:9093'} aria-describedby={`${uid}-urls-hint`} />
        </Field>
      ) : (
        <Field id={`${uid}-url`} label={kind === 'slack' ? 'Incoming webhook URL' : 'Webhook URL'} hint={kind === 'slack' ? 'The URL is the credential: it is stored encrypted and shown as its host only.' : 'Quorum POSTs JSON; see the README for the body and how to verify the signature.'}>
          <input id={`${uid}-url`} type="text" value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="off" placeholder={kind === 'slack' ? 'https://hooks.slack.com/services/…' : 'https://receiver.example.com/quorum'} aria-describedby={`${uid}-url-hint`} />
        </Field>
      )}
      {kind === 'webhook' ? (
        <div className="row row-end">
          <Field id={`${uid}-hmac`} label="HMAC secret" hint="At least 16 characters; the receiver checks X-Quorum-Signature-256 with it.">
            <input id={`${uid}-hmac`} type="text" value={hmac} onChange={(e) => setHmac(e.target.value)} autoComplete="off" className="mono" aria-describedby={`${uid}-hmac-hint`} />
          </Field>
          <button type="button" onClick={() => setHmac(randomSecret())}>
            Generate
          </button>
        </div>
      ) : null}
      {kind !== 'slack' ? (
        <Field id={`${uid}-bearer`} label="Bearer token (optional)">
          <input id={`${uid}-bearer`} type="password" value={bearer} onChange={(e) => setBearer(e.target.value)} autoComplete="new-password" />
        </Field>
      ) : null}
      <SettingsFields uid={uid} kind={kind} minSeverity={minSeverity} setMinSeverity={setMinSeverity} sendResolved={sendResolved} setSendResolved={setSendResolved} timeoutMs={timeoutMs} setTimeoutMs={setTimeoutMs} />
      <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
      <div className="row">
        <button type="submit" className="primary" disabled={s.busy || name.trim() === ''}>
          {s.busy ? 'Adding…' : 'Add channel'}
        </button>
      </div>
    </form>
  );
}

interface TestResult {
  ok: boolean;
  outcome: string;
  error: string | null;
  results: Array<{ target: string; status: number | null; error: string | null; durationMs: number }>;
}

export function SendTestButton({ id, name }: { id: string; name: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErr | null>(null);
  const [result, setResult] = useState<TestResult | null>(null);
  async function onClick() {
    setBusy(true);
    setError(null);
    setResult(null);
    const r = await requestJson('POST', `/api/channels/${encodeURIComponent(id)}/test`, {});
    setBusy(false);
    if (!r.ok) setError(r.error);
    else setResult(r.data as TestResult);
  }
  return (
    <div className="stack" style={{ gap: '0.4rem' }}>
      <div>
        <button type="button" onClick={() => void onClick()} disabled={busy} aria-label={`Send a test notification to ${name}`}>
          {busy ? 'Sending…' : 'Send test'}
        </button>
      </div>
      <div aria-live="polite">
        {error ? <ErrorLine error={error} /> : null}
        {result ? (
          <div className={result.ok ? 'result-ok' : 'form-error'} role="status" data-testid={`test-result-${name}`}>
            {result.ok ? 'Delivered' : result.outcome === 'retry' ? 'Not delivered (would be retried)' : 'Not delivered'}:{' '}
            {result.results.map((x) => `${x.target} → ${x.status ?? 'no answer'}${x.error ? ` (${x.error})` : ''} in ${x.durationMs} ms`).join('; ')}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function ChannelEnableToggle({ id, name, enabled }: { id: string; name: string; enabled: boolean }) {
  const s = useSubmit();
  return (
    <span className="row">
      <button type="button" disabled={s.busy} onClick={() => void s.run('PATCH', `/api/channels/${encodeURIComponent(id)}`, { enabled: !enabled }, enabled ? 'Disabled.' : 'Enabled.')} aria-label={`${enabled ? 'Disable' : 'Enable'} ${name}`}>
        {enabled ? 'Disable' : 'Enable'}
      </button>
      {s.error ? (
        <span className="field-error" role="alert">
          {s.error.class}: {s.error.message}
        </span>
      ) : null}
    </span>
  );
}

/** Settings and secret replacement of one channel; empty secret fields keep what is stored. */
export function EditChannelForm({ id, name, kind, settings }: { id: string; name: string; kind: Kind; settings: { minSeverity: Severity; sendResolved: boolean; timeoutMs: number } }) {
  const uid = useId();
  const [minSeverity, setMinSeverity] = useState<Severity>(settings.minSeverity);
  const [sendResolved, setSendResolved] = useState(settings.sendResolved);
  const [timeoutMs, setTimeoutMs] = useState(String(settings.timeoutMs));
  const [target, setTarget] = useState('');
  const [hmac, setHmac] = useState('');
  const s = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const secret: Record<string, unknown> = {};
    if (target.trim()) {
      if (kind === 'alertmanager') secret.urls = lines(target);
      else secret.url = target.trim();
    }
    if (kind === 'webhook' && hmac) secret.hmacSecret = hmac;
    await s.run('PATCH', `/api/channels/${encodeURIComponent(id)}`, { settings: { minSeverity, sendResolved, timeoutMs: Number(timeoutMs) }, ...(Object.keys(secret).length ? { secret } : {}) }, 'Saved.');
  }
  return (
    <details>
      <summary>Edit {name}</summary>
      <form className="stack" onSubmit={onSubmit} noValidate aria-label={`Edit channel ${name}`}>
        <SettingsFields uid={uid} kind={kind} minSeverity={minSeverity} setMinSeverity={setMinSeverity} sendResolved={sendResolved} setSendResolved={setSendResolved} timeoutMs={timeoutMs} setTimeoutMs={setTimeoutMs} />
        <Field id={`${uid}-target`} label={kind === 'alertmanager' ? 'Replace the URLs (one per line; empty: keep)' : 'Replace the URL (empty: keep)'}>
          {kind === 'alertmanager' ? <textarea id={`${uid}-target`} value={target} onChange={(e) => setTarget(e.target.value)} style={{ minHeight: '3rem' }} /> : <input id={`${uid}-target`} type="text" value={target} onChange={(e) => setTarget(e.target.value)} autoComplete="off" />}
        </Field>
        {kind === 'webhook' ? (
          <Field id={`${uid}-hmac`} label="Replace the HMAC secret (empty: keep)">
            <input id={`${uid}-hmac`} type="text" value={hmac} onChange={(e) => setHmac(e.target.value)} autoComplete="off" className="mono" />
          </Field>
        ) : null}
        <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
        <div className="row">
          <button type="submit" className="primary" disabled={s.busy}>
            {s.busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </details>
  );
}

interface RuleRow {
  id: string;
  title: string;
  enabled: boolean;
}

export function AlertSettingsForm({ settings, rules }: { settings: { forCycles: number; noDataMinutes: number; repeatIntervalMinutes: number; failover: { mode: 'all' | 'gap-over' | 'off'; minGapSeconds: number } }; rules: RuleRow[] }) {
  const uid = useId();
  const [forCycles, setForCycles] = useState(String(settings.forCycles));
  const [noData, setNoData] = useState(String(settings.noDataMinutes));
  const [repeat, setRepeat] = useState(String(settings.repeatIntervalMinutes));
  const [mode, setMode] = useState(settings.failover.mode);
  const [minGap, setMinGap] = useState(String(settings.failover.minGapSeconds));
  const [enabled, setEnabled] = useState<Record<string, boolean>>(Object.fromEntries(rules.map((r) => [r.id, r.enabled])));
  const s = useSubmit();
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    await s.run('PUT', '/api/alerts/settings', { forCycles: Number(forCycles), noDataMinutes: Number(noData), repeatIntervalMinutes: Number(repeat), failover: { mode, minGapSeconds: Number(minGap) }, rules: enabled }, 'Rules saved; the collector uses them from its next cycle.');
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Alert rule settings">
      <div className="row row-end">
        <Field id={`${uid}-for`} label="Down for N cycles">
          <input id={`${uid}-for`} type="number" min={1} max={100} value={forCycles} onChange={(e) => setForCycles(e.target.value)} style={{ width: '7rem' }} />
        </Field>
        <Field id={`${uid}-nodata`} label="No data after (min)">
          <input id={`${uid}-nodata`} type="number" min={1} max={1440} value={noData} onChange={(e) => setNoData(e.target.value)} style={{ width: '7rem' }} />
        </Field>
        <Field id={`${uid}-repeat`} label="Repeat every (min; 0 never)">
          <input id={`${uid}-repeat`} type="number" min={0} max={10080} value={repeat} onChange={(e) => setRepeat(e.target.value)} style={{ width: '7rem' }} />
        </Field>
        <Field id={`${uid}-fomode`} label="Failovers">
          <select id={`${uid}-fomode`} value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
            <option value="all">notify every failover</option>
            <option value="gap-over">only gaps longer than…</option>
            <option value="off">never</option>
          </select>
        </Field>
        <Field id={`${uid}-gap`} label="Gap threshold (s)">
          <input id={`${uid}-gap`} type="number" min={0} max={3600} value={minGap} onChange={(e) => setMinGap(e.target.value)} style={{ width: '7rem' }} disabled={mode !== 'gap-over'} />
        </Field>
      </div>
      <fieldset className="rule-toggles">
        <legend>Rules on</legend>
        {rules.map((r) => (
          <label key={r.id} htmlFor={`${uid}-rule-${r.id}`}>
            <input id={`${uid}-rule-${r.id}`} type="checkbox" checked={enabled[r.id] ?? true} onChange={(e) => setEnabled({ ...enabled, [r.id]: e.target.checked })} /> {r.title}
          </label>
        ))}
      </fieldset>
      <Outcome id={`${uid}-err`} error={s.error} saved={s.saved} />
      <div className="row">
        <button type="submit" className="primary" disabled={s.busy}>
          {s.busy ? 'Saving…' : 'Save rules'}
        </button>
      </div>
    </form>
  );
}

/** OpenSLO import (editors): paste or upload a YAML file; a dry run first shows what would change. */
export function OpenSloImportForm() {
  const uid = useId();
  const [text, setText] = useState('');
  const [prune, setPrune] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<(ApiErr & { issues?: Array<{ path: string; message: string }> }) | null>(null);
  const [result, setResult] = useState<{ dryRun: boolean; counts: Record<string, number>; changes: Array<{ cluster: string; component: string; action: string }> } | null>(null);
  async function run(dryRun: boolean) {
    setBusy(true);
    setError(null);
    setResult(null);
    const r = await requestJson<NonNullable<typeof result>>('POST', '/api/openslo', { document: text, prune, dryRun });
    setBusy(false);
    if (r.ok) setResult(r.data);
    else {
      const issues = (r.body as { issues?: Array<{ path: string; message: string }> } | null)?.issues;
      setError({ ...r.error, ...(issues ? { issues } : {}) });
    }
  }
  return (
    <form className="stack" onSubmit={(e) => e.preventDefault()} noValidate aria-label="Import OpenSLO">
      <Field id={`${uid}-file`} label="OpenSLO YAML file">
        <input id={`${uid}-file`} type="file" accept=".yaml,.yml,.json,application/yaml" onChange={(e) => void e.target.files?.[0]?.text().then(setText)} />
      </Field>
      <Field id={`${uid}-text`} label="…or paste it">
        <textarea id={`${uid}-text`} value={text} onChange={(e) => setText(e.target.value)} style={{ minHeight: '8rem' }} />
      </Field>
      <label className="row" htmlFor={`${uid}-prune`} style={{ gap: '0.4rem' }}>
        <input id={`${uid}-prune`} type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Remove the policies of the named clusters that the file does not declare
      </label>
      <div aria-live="polite">
        {error ? (
          <div className="form-error" role="alert">
            <code>{error.class}</code>: {error.message}
            {error.issues?.length ? (
              <ul>
                {error.issues.map((i) => (
                  <li key={`${i.path}${i.message}`}>
                    <code>{i.path || '(document)'}</code> {i.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {result ? (
          <div className="result-ok" role="status">
            {result.dryRun ? 'Dry run — would apply' : 'Applied'}: {result.counts.create} created, {result.counts.update} updated, {result.counts.remove} removed, {result.counts.unchanged} unchanged.
          </div>
        ) : null}
      </div>
      <div className="row">
        <button type="button" disabled={busy || text.trim() === ''} onClick={() => void run(true)}>
          Check (dry run)
        </button>
        <button type="button" className="primary" disabled={busy || text.trim() === ''} onClick={() => void run(false)}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
