'use client';

import { useRouter } from 'next/navigation';
import { useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import type { HealthCheck, Status } from '@/lib/types';
import { StatusBadge } from './status-badge';
import { requestJson } from './request-json';

interface ContextOption {
  name: string;
  cluster: string;
  server: string;
  namespace?: string;
}
interface ContextsBody {
  contexts: ContextOption[];
  currentContext: string | null;
}
interface TestBody {
  ok: true;
  server: string;
  context: string | null;
  version: string | null;
  readyz: { allowed: boolean; status: Status; reason: string; checks: HealthCheck[] } | null;
}
interface CreatedBody {
  cluster: { id: string; name: string };
}

type FieldError = { class: string; message: string };
type Field = 'kubeconfig' | 'context' | 'name' | 'labels' | 'test' | 'form';

/** Kept in step with lib/clusters/register.ts validateClusterName (the server checks again). */
const NAME_RE = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
const MAX_UPLOAD_BYTES = 256 * 1024;

/** Which input a server error belongs next to. */
function fieldFor(err: FieldError): Field {
  if (err.class.startsWith('kubeconfig-')) {
    if (err.message.startsWith('cluster name')) return 'name';
    if (err.message.startsWith('label')) return 'labels';
    if (err.class === 'kubeconfig-no-context' && /^no context named/.test(err.message)) return 'context';
    return 'kubeconfig';
  }
  if (err.class === 'conflict') return 'name';
  return 'form';
}

function suggestName(context: string): string {
  const n = context
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63);
  return NAME_RE.test(n) ? n : '';
}

export function AddClusterForm() {
  const router = useRouter();
  const uid = useId();
  const [kubeconfig, setKubeconfig] = useState('');
  const [contexts, setContexts] = useState<ContextOption[] | null>(null);
  const [context, setContext] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  // Read by loadContexts after its request: a name typed while the contexts load must not be overwritten (the state in its closure is stale).
  const nameTouchedRef = useRef(false);
  const [labels, setLabels] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, FieldError>>>({});
  const [test, setTest] = useState<TestBody | null>(null);
  const [busy, setBusy] = useState<null | 'contexts' | 'test' | 'save'>(null);

  const ids = {
    kubeconfig: `${uid}-kubeconfig`,
    file: `${uid}-file`,
    context: `${uid}-context`,
    name: `${uid}-name`,
    labels: `${uid}-labels`,
  };
  const errId = (f: Field) => `${uid}-${f}-error`;

  function showError(err: FieldError) {
    setErrors({ [fieldFor(err)]: err });
  }

  function resetDerived() {
    setContexts(null);
    setContext('');
    setTest(null);
    setErrors({});
  }

  async function loadContexts(text: string) {
    setBusy('contexts');
    setErrors({});
    setTest(null);
    const r = await requestJson<ContextsBody>('POST', '/api/kubeconfig/contexts', { kubeconfig: text });
    setBusy(null);
    if (!r.ok) {
      setContexts(null);
      setContext('');
      showError(r.error);
      return;
    }
    setContexts(r.data.contexts);
    const chosen = r.data.currentContext ?? r.data.contexts[0]?.name ?? '';
    setContext(chosen);
    if (!nameTouchedRef.current) setName(suggestName(chosen));
  }

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      resetDerived();
      setErrors({ kubeconfig: { class: 'kubeconfig-too-large', message: `"${file.name}" is ${file.size} bytes; the limit is ${MAX_UPLOAD_BYTES} bytes (256 KiB)` } });
      return;
    }
    const text = await file.text();
    setKubeconfig(text);
    resetDerived();
    await loadContexts(text);
  }

  async function onTest() {
    if (kubeconfig.trim() === '') {
      setErrors({ kubeconfig: { class: 'bad-request', message: 'paste or upload a kubeconfig first' } });
      return;
    }
    setBusy('test');
    setErrors({});
    setTest(null);
    const r = await requestJson<TestBody>('POST', '/api/clusters/test', { kubeconfig, ...(context ? { context } : {}) });
    setBusy(null);
    if (!r.ok) {
      // Connection failures belong next to the button that produced them.
      const field = fieldFor(r.error);
      setErrors({ [field === 'form' ? 'test' : field]: r.error });
      return;
    }
    setTest(r.data);
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const local: Partial<Record<Field, FieldError>> = {};
    if (kubeconfig.trim() === '') local.kubeconfig = { class: 'bad-request', message: 'paste or upload a kubeconfig' };
    if (!NAME_RE.test(name.trim())) {
      local.name = { class: 'bad-request', message: 'use 1–63 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit' };
    }
    if (Object.keys(local).length > 0) {
      setErrors(local);
      return;
    }
    setBusy('save');
    setErrors({});
    const r = await requestJson<CreatedBody>('POST', '/api/clusters', {
      name: name.trim(),
      kubeconfig,
      ...(context ? { context } : {}),
      ...(labels.trim() ? { labels } : {}),
    });
    if (!r.ok) {
      setBusy(null);
      showError(r.error);
      return;
    }
    router.push(`/clusters/${encodeURIComponent(r.data.cluster.id)}`);
    router.refresh();
  }

  const describedBy = (f: Field, hint?: string) => [hint, errors[f] ? errId(f) : undefined].filter(Boolean).join(' ') || undefined;
  const fieldError = (f: Field) =>
    errors[f] ? (
      <p id={errId(f)} className="field-error" role="alert">
        <code>{errors[f].class}</code>: {errors[f].message}
      </p>
    ) : null;

  return (
    <form className="stack card" onSubmit={onSubmit} noValidate aria-label="Add cluster">
      <div className="field">
        <label htmlFor={ids.kubeconfig}>Kubeconfig</label>
        <p id={`${ids.kubeconfig}-hint`} className="hint">
          Paste a self-contained kubeconfig (<code>kubectl config view --flatten --minify</code>) or upload the file. It is
          stored encrypted on the server and never shown again.
        </p>
        <textarea
          id={ids.kubeconfig}
          name="kubeconfig"
          spellCheck={false}
          autoComplete="off"
          value={kubeconfig}
          aria-invalid={errors.kubeconfig ? true : undefined}
          aria-describedby={describedBy('kubeconfig', `${ids.kubeconfig}-hint`)}
          onChange={(e) => {
            setKubeconfig(e.target.value);
            if (contexts || test || Object.keys(errors).length > 0) resetDerived();
          }}
        />
        {fieldError('kubeconfig')}
        <div className="row">
          <label htmlFor={ids.file}>Or upload a kubeconfig file</label>
          <input id={ids.file} type="file" accept=".yaml,.yml,.conf,.config,.kubeconfig,text/plain,application/yaml" onChange={onFile} />
        </div>
        <div className="row">
          <button type="button" onClick={() => loadContexts(kubeconfig)} disabled={busy !== null || kubeconfig.trim() === ''}>
            {busy === 'contexts' ? 'Reading…' : 'Read contexts'}
          </button>
        </div>
      </div>

      <div className="field">
        <label htmlFor={ids.context}>Context</label>
        <select
          id={ids.context}
          name="context"
          value={context}
          disabled={!contexts || contexts.length === 0}
          aria-invalid={errors.context ? true : undefined}
          aria-describedby={describedBy('context')}
          onChange={(e) => {
            setContext(e.target.value);
            setTest(null);
            if (!nameTouched) setName(suggestName(e.target.value));
          }}
        >
          {!contexts ? <option value="">Read the kubeconfig first</option> : null}
          {contexts?.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} — {c.server || 'no server'}
            </option>
          ))}
        </select>
        {fieldError('context')}
      </div>

      <div className="row">
        <button type="button" onClick={onTest} disabled={busy !== null || kubeconfig.trim() === ''}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      <div aria-live="polite">
        {errors.test ? (
          <div className="form-error" role="alert" id={errId('test')}>
            Connection test failed — <code>{errors.test.class}</code>: {errors.test.message}
          </div>
        ) : null}
        {test ? (
          <section className="result-ok" aria-label="Connection test result" data-testid="test-result">
            <p>
              Connected to <code>{test.server}</code>: Kubernetes <strong data-testid="apiserver-version">{test.version}</strong>
            </p>
            {test.readyz ? (
              <p>
                /readyz{' '}
                {test.readyz.allowed ? (
                  <>
                    is allowed: <StatusBadge status={test.readyz.status} /> {test.readyz.reason} ({test.readyz.checks.length} named checks)
                  </>
                ) : (
                  <>
                    is <strong>not allowed</strong> for this identity: {test.readyz.reason}
                  </>
                )}
              </p>
            ) : null}
          </section>
        ) : null}
      </div>

      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input
          id={ids.name}
          name="name"
          type="text"
          autoComplete="off"
          value={name}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describedBy('name', `${ids.name}-hint`)}
          onChange={(e) => {
            setName(e.target.value);
            setNameTouched(true);
            nameTouchedRef.current = true;
          }}
        />
        <p id={`${ids.name}-hint`} className="hint">
          Lowercase letters, digits, “.”, “_” or “-”.
        </p>
        {fieldError('name')}
      </div>

      <div className="field">
        <label htmlFor={ids.labels}>Labels (optional)</label>
        <input
          id={ids.labels}
          name="labels"
          type="text"
          autoComplete="off"
          placeholder="env=prod,team=sre"
          value={labels}
          aria-invalid={errors.labels ? true : undefined}
          aria-describedby={describedBy('labels', `${ids.labels}-hint`)}
          onChange={(e) => setLabels(e.target.value)}
        />
        <p id={`${ids.labels}-hint`} className="hint">
          Comma-separated key=value pairs.
        </p>
        {fieldError('labels')}
      </div>

      {errors.form ? (
        <div className="form-error" role="alert" id={errId('form')}>
          <code>{errors.form.class}</code>: {errors.form.message}
        </div>
      ) : null}

      <div className="row">
        <button type="submit" className="primary" disabled={busy !== null}>
          {busy === 'save' ? 'Saving…' : 'Save cluster'}
        </button>
      </div>
    </form>
  );
}
