// The CLI against a running Quorum server: `npm run quorum -- --server URL …` (or QUORUM_URL) with an
// API token in QUORUM_TOKEN. Every call is the JSON API with `Authorization: Bearer`; the server
// checks the token's role exactly as for the web app. Errors come back as the API's classified
// envelope and are shown the same way as local ones.
import { QuorumError } from '@/lib/errors';

export class RemoteError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
    readonly status: number,
    /** The whole error body (e.g. the OpenSLO import's `issues`). */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface Remote {
  server: URL;
  call<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** A GET whose answer is not JSON (the OpenSLO YAML export). */
  text(path: string): Promise<string>;
}

export function remoteFrom(serverArg: string | undefined, token: string | undefined): Remote | null {
  const raw = serverArg?.trim();
  if (!raw) return null;
  let server: URL;
  try {
    server = new URL(raw);
  } catch {
    throw new QuorumError('invalid-input', `--server "${raw}" is not a URL (e.g. https://quorum.example.com)`);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') throw new QuorumError('invalid-input', '--server must be an http(s):// URL');
  if (server.protocol === 'http:' && !/^(127\.|localhost$|\[::1\]$)/.test(server.hostname)) {
    process.stderr.write(`warning: ${server.origin} is plain http: the API token crosses the network unencrypted\n`);
  }
  if (!token) throw new QuorumError('unauthorized', 'QUORUM_TOKEN is not set: create a token (Users & tokens, or `npm run quorum -- token create`) and export QUORUM_TOKEN');
  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(new URL(path, server), {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      throw new QuorumError('unreachable', `cannot reach ${server.origin}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
    }
  }
  return {
    server,
    async text(path: string): Promise<string> {
      const res = await request('GET', path);
      const text = await res.text();
      if (res.ok) return text;
      let err: { class?: string; message?: string } | undefined;
      try {
        err = (JSON.parse(text) as { error?: { class?: string; message?: string } }).error;
      } catch {
        err = undefined;
      }
      throw new RemoteError(err?.class ?? 'http-error', err?.message ?? `HTTP ${res.status}`, res.status);
    },
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await request(method, path, body);
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new RemoteError('not-quorum', `${server.origin} answered HTTP ${res.status} without JSON: is it a Quorum server?`, res.status);
      }
      if (!res.ok) {
        const err = (json as { error?: { class?: string; message?: string } }).error;
        throw new RemoteError(err?.class ?? 'http-error', err?.message ?? `HTTP ${res.status}`, res.status, json);
      }
      return json as T;
    },
  };
}
