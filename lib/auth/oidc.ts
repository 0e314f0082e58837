// OpenID Connect sign-in with openid-client 6 (panva): issuer discovery, authorization code + PKCE
// (S256), state and nonce, ID-token validation — all done by the library, nothing hand-rolled here.
// What is ours: where the pending sign-in lives (the AuthFlow table, so the callback may land on any
// web replica), the browser binding (the state also sits in an HttpOnly cookie), and the mapping of
// the groups claim to a Quorum role.
import * as oidc from 'openid-client';
import type { AuthConfig, OidcConfig } from '../env';
import { QuorumError, describeError } from '../errors';
import { createAuthFlow, takeAuthFlow, type OidcIdentity } from '../data/auth';
import { highestRole, type Role } from './roles';

const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';
const FLOW_TTL_MS = 10 * 60_000;

const holder = globalThis as typeof globalThis & { __quorumOidc?: { key: string; config: Promise<oidc.Configuration> } };

/** Discovery, once per process and configuration; a failure is not cached (the next sign-in retries). */
function configuration(c: OidcConfig): Promise<oidc.Configuration> {
  const key = `${c.issuer.href} ${c.clientId}`;
  if (holder.__quorumOidc?.key !== key) {
    const config = oidc.discovery(c.issuer, c.clientId, c.clientSecret ?? undefined, undefined, { timeout: 10 });
    holder.__quorumOidc = { key, config };
    config.catch(() => {
      if (holder.__quorumOidc?.config === config) holder.__quorumOidc = undefined;
    });
  }
  return holder.__quorumOidc.config;
}

function requireOidc(cfg: AuthConfig): { oidc: OidcConfig; publicUrl: URL } {
  if (!cfg.oidc) throw new QuorumError('invalid-input', 'single sign-on is not configured (QUORUM_OIDC_ISSUER)');
  if (!cfg.publicUrl) throw new QuorumError('invalid-input', 'single sign-on needs QUORUM_PUBLIC_URL (the redirect URI is built from it)');
  return { oidc: cfg.oidc, publicUrl: cfg.publicUrl };
}

function redirectUri(publicUrl: URL): string {
  return new URL(OIDC_CALLBACK_PATH, publicUrl).href;
}

/** Starts a sign-in: stores the PKCE verifier and nonce under the state, returns the IdP URL and the state. */
export async function beginOidcSignIn(cfg: AuthConfig, returnTo: string): Promise<{ url: URL; state: string }> {
  const { oidc: c, publicUrl } = requireOidc(cfg);
  let config: oidc.Configuration;
  try {
    config = await configuration(c);
  } catch (e) {
    throw new QuorumError('unreachable', `the identity provider ${c.issuer.href} cannot be reached for discovery: ${describeError(e)}`, { cause: e });
  }
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  await createAuthFlow({ state, verifier, nonce, returnTo, ttlMs: FLOW_TTL_MS });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(publicUrl),
    scope: c.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, state };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** Groups → role: the highest role any group maps to, else QUORUM_OIDC_DEFAULT_ROLE, else null. */
export function roleForGroups(groups: readonly string[], c: Pick<OidcConfig, 'roleGroups' | 'defaultRole'>): Role | null {
  const roles: Role[] = [];
  for (const [role, names] of Object.entries(c.roleGroups) as Array<[Role, string[]]>) if (names.some((n) => groups.includes(n))) roles.push(role);
  return highestRole(roles) ?? c.defaultRole;
}

/**
 * Finishes a sign-in at the callback: the state must match the browser's cookie and a pending flow;
 * openid-client exchanges the code (with the PKCE verifier) and validates the ID token (issuer,
 * audience, signature, expiry, nonce). Returns the identity and where to go next.
 */
export async function completeOidcSignIn(cfg: AuthConfig, callback: URL, stateCookie: string | undefined): Promise<{ identity: OidcIdentity; groups: string[]; returnTo: string }> {
  const { oidc: c, publicUrl } = requireOidc(cfg);
  const state = callback.searchParams.get('state') ?? '';
  const idpError = callback.searchParams.get('error');
  if (idpError) throw new QuorumError('unauthorized', `the identity provider refused the sign-in: ${idpError}${callback.searchParams.get('error_description') ? ` (${callback.searchParams.get('error_description')!.slice(0, 200)})` : ''}`);
  if (!state || !stateCookie || state !== stateCookie) throw new QuorumError('invalid-input', 'this sign-in was not started in this browser (state mismatch); start again');
  const flow = await takeAuthFlow(state);
  if (!flow) throw new QuorumError('invalid-input', 'this sign-in expired or was already used; start again');
  // The URL the IdP redirected to, rebuilt on the public origin (never the request's Host).
  const current = new URL(OIDC_CALLBACK_PATH, publicUrl);
  current.search = callback.search;
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(await configuration(c), current, { pkceCodeVerifier: flow.verifier, expectedState: state, expectedNonce: flow.nonce, idTokenExpected: true });
  } catch (e) {
    throw new QuorumError('unauthorized', `the identity provider's answer was not accepted: ${describeError(e)}`, { cause: e });
  }
  const claims = tokens.claims();
  if (!claims) throw new QuorumError('unauthorized', 'the identity provider returned no ID token');
  const groups = strings(claims[c.groupsClaim]);
  const role = roleForGroups(groups, c);
  const username = [claims[c.usernameClaim], claims.preferred_username, claims.email, claims.sub].find((v): v is string => typeof v === 'string' && v !== '') ?? claims.sub;
  if (!role) throw new QuorumError('forbidden', `signed in as "${username}", but none of your groups (${groups.join(', ') || 'none'}) grants a Quorum role; ask an admin`);
  return {
    identity: {
      subject: `${claims.iss} ${claims.sub}`,
      username,
      displayName: typeof claims.name === 'string' ? claims.name : null,
      email: typeof claims.email === 'string' ? claims.email : null,
      role,
    },
    groups,
    returnTo: flow.returnTo,
  };
}
