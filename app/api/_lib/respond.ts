// Shared by the API route handlers: one error envelope, one mapping from error class to HTTP status.
import { NextResponse } from 'next/server';
import type { z } from 'zod';
import { DbError, type DbErrorKind } from '@/lib/db';
import { QuorumError, describeError } from '@/lib/errors';
import type { ErrorClass } from '@/lib/types';

/** Errors the HTTP layer itself produces, on top of the domain's ErrorClass. */
export type ApiErrorClass =
  | ErrorClass
  | 'bad-request'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'database-unavailable'
  | 'database-busy'
  // Sign-in and request hardening (issue 10, app/api/_lib/guard.ts).
  | 'unauthenticated'
  | 'permission-denied'
  | 'csrf'
  | 'misdirected'
  | 'unsupported-media-type'
  | 'rate-limited'
  // A well-formed document Quorum cannot apply as given (OpenSLO import, issue 11): every issue named.
  | 'unprocessable';

export interface ApiError {
  error: { class: ApiErrorClass; message: string };
}

/** Request bodies above this are refused before JSON parsing (the kubeconfig limit is 256 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

function httpStatusFor(errorClass: ApiErrorClass): number {
  switch (errorClass) {
    case 'bad-request':
    case 'kubeconfig-not-yaml':
    case 'kubeconfig-invalid':
    case 'invalid-input':
    case 'kubeconfig-no-context':
    case 'kubeconfig-no-cluster':
    case 'kubeconfig-no-server':
    case 'kubeconfig-no-user':
    case 'kubeconfig-unsupported-auth':
      return 400;
    case 'kubeconfig-too-large':
    case 'payload-too-large':
      return 413;
    case 'unauthenticated':
      return 401;
    case 'permission-denied':
    case 'csrf':
      return 403;
    case 'misdirected':
      return 421;
    case 'unsupported-media-type':
      return 415;
    case 'rate-limited':
      return 429;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    // The input was well-formed but the cluster it points at cannot be used as given.
    case 'tls-ca':
    case 'tls-hostname':
    case 'tls-other':
    case 'unauthorized':
    case 'forbidden':
    case 'unreachable':
    case 'dns':
    case 'timeout':
    case 'not-kubernetes':
    case 'too-large':
    case 'http-error':
    case 'outbound-denied':
    case 'unprocessable':
      return 422;
    case 'database-unavailable':
    case 'credentials-undecryptable':
    case 'database-busy':
      return 503;
    case 'internal':
      return 500;
    default: {
      const never: never = errorClass;
      return never;
    }
  }
}

export function errorResponse(errorClass: ApiErrorClass, message: string, extra?: Record<string, unknown>): NextResponse<ApiError> {
  const status = httpStatusFor(errorClass);
  // 503s say when to try again (the database is down, hung or locked: a retry in a few seconds may succeed).
  const headers: Record<string, string> = status === 503 ? { 'retry-after': errorClass === 'database-busy' ? '1' : '5', 'cache-control': 'no-store' } : {};
  return NextResponse.json({ ...extra, error: { class: errorClass, message } }, { status, headers });
}

/**
 * The API class of a database error: a lock or a conflicting transaction is `database-busy`; a
 * database that is down, hung, read-only, full, unmigrated… is `database-unavailable` (both 503);
 * a unique violation is a 409; anything else is Quorum's bug (500, logged).
 */
export function dbErrorClass(kind: DbErrorKind): ApiErrorClass {
  switch (kind) {
    case 'busy':
    case 'deadlock':
    case 'serialization':
      return 'database-busy';
    case 'conflict':
      return 'conflict';
    case 'invalid-data':
    case 'query':
      return 'internal';
    case 'unreachable':
    case 'timeout':
    case 'read-only':
    case 'disk-full':
    case 'resources':
    case 'shutdown':
    case 'io':
    case 'auth':
    case 'no-database':
    case 'not-migrated':
    case 'corrupt':
      return 'database-unavailable';
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function isUniqueViolation(e: unknown): boolean {
  // Prisma's unique-constraint error, whichever adapter raised it.
  return typeof e === 'object' && e !== null && 'code' in e && (e as { code: unknown }).code === 'P2002';
}

/** Turns anything thrown by lib/ into the JSON envelope. Unclassified errors are logged, not echoed. */
export function toErrorResponse(e: unknown): NextResponse<ApiError> {
  if (e instanceof QuorumError) return errorResponse(e.errorClass, e.message);
  if (e instanceof DbError) {
    const cls = dbErrorClass(e.kind);
    if (cls !== 'internal') return errorResponse(cls, e.message);
    console.error('[api] database refused a query:', e.message);
    return errorResponse('internal', 'internal error; see the server log');
  }
  if (isUniqueViolation(e)) return errorResponse('conflict', 'a cluster with this name already exists');
  console.error('[api] unexpected error:', describeError(e));
  return errorResponse('internal', 'internal error; see the server log');
}

/**
 * Reads the body as UTF-8 text, counting bytes while it streams: a body larger than `max` is refused
 * as soon as the count passes it, whatever Content-Length said (or when there is none: chunked).
 */
async function readBodyLimited(req: Request, max: number = MAX_BODY_BYTES): Promise<{ ok: true; text: string } | { ok: false; response: NextResponse<ApiError> }> {
  const tooLarge = () => ({ ok: false as const, response: errorResponse('payload-too-large', `request body is larger than ${max} bytes`) });
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > max) return tooLarge();
  if (!req.body) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return tooLarge();
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/** Reads and validates a JSON body. Returns the data or a ready 400/413 response. */
export async function readJson<T>(
  req: Request,
  schema: z.ZodType<T>,
): Promise<{ ok: true; data: T } | { ok: false; response: NextResponse<ApiError> }> {
  const body = await readBodyLimited(req);
  if (!body.ok) return body;
  const text = body.text;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: errorResponse('bad-request', 'request body is not JSON') };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, response: errorResponse('bad-request', `${where}${issue?.message ?? 'invalid request body'}`) };
  }
  return { ok: true, data: parsed.data };
}

/**
 * Reads `since`/`until` (ISO 8601) from a query string: until defaults to now, since to until − defaultMs.
 * Returns the window, or a ready 400 response naming the bad parameter.
 */
export function readTimeWindow(url: URL, defaultMs: number): { ok: true; since: Date; until: Date } | { ok: false; response: NextResponse<ApiError> } {
  const parse = (name: 'since' | 'until'): Date | undefined | string => {
    const v = url.searchParams.get(name);
    if (v === null || v === '') return undefined;
    const d = new Date(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) return `${name} must be an ISO 8601 time, e.g. 2026-11-26T00:00:00Z (got "${v.slice(0, 64)}")`;
    return d;
  };
  const since = parse('since');
  const until = parse('until');
  if (typeof since === 'string') return { ok: false, response: errorResponse('bad-request', since) };
  if (typeof until === 'string') return { ok: false, response: errorResponse('bad-request', until) };
  const u = until ?? new Date();
  const s = since ?? new Date(u.getTime() - defaultMs);
  if (s.getTime() >= u.getTime()) return { ok: false, response: errorResponse('bad-request', 'since must be before until') };
  return { ok: true, since: s, until: u };
}
