// The one client-side call to Quorum's JSON API (forms in components/). Every outcome is a value, never
// a throw: the server's classified error ({ error: { class, message } }, see app/api/_lib/respond.ts),
// `network` when the server cannot be reached, `internal` when it answers without JSON.

/** The error envelope's `error` as the forms show it ("<class>: <message>"). */
export type ApiErr = { class: string; message: string };

export type JsonResult<T> =
  | { ok: true; data: T }
  /** `body`: the parsed error body, for routes that add detail beside `error` (OpenSLO's `issues`). */
  | { ok: false; error: ApiErr; body: unknown };

export async function requestJson<T = unknown>(method: string, url: string, body?: unknown): Promise<JsonResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  } catch (e) {
    return { ok: false, error: { class: 'network', message: `could not reach the Quorum server: ${String(e)}` }, body: null };
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    return { ok: false, error: { class: 'internal', message: `the server answered HTTP ${res.status} without JSON` }, body: null };
  }
  if (!res.ok) return { ok: false, error: (json as { error?: ApiErr } | null)?.error ?? { class: 'internal', message: `HTTP ${res.status}` }, body: json };
  return { ok: true, data: json as T };
}
