import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { currentPrincipal } from '@/lib/auth/page';
import { safeReturnTo } from '@/lib/auth/request';
import { countUsers } from '@/lib/data/auth';
import { loadAuthConfig } from '@/lib/env';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export default async function SignInPage({ searchParams }: Props) {
  const sp = await searchParams;
  const next = safeReturnTo(one(sp.next));
  if (await currentPrincipal()) redirect(next);
  const cfg = loadAuthConfig();
  const error = one(sp.error);
  const noUsers = (await countUsers()) === 0;
  return (
    <div className="auth-page">
      <h1>Sign in to Quorum</h1>
      <section className="card" aria-label="Sign in">
        {error ? (
          <p className="form-error" role="alert">
            {error.slice(0, 300)}
          </p>
        ) : null}
        {cfg.oidc ? (
          <>
            <a className="button primary wide" href={`/api/auth/oidc/start?next=${encodeURIComponent(next)}`}>
              Sign in with {cfg.oidc.displayName}
            </a>
            <div className="auth-or">or with a Quorum account</div>
          </>
        ) : null}
        <SignInForm next={next} />
      </section>
      {noUsers ? (
        <section className="card" aria-labelledby="first-title">
          <h2 id="first-title" className="mt-0">
            No account yet
          </h2>
          <p>Create the first admin with the one-time setup link Quorum printed when it started, or on the server:</p>
          <pre>npm run quorum -- user add NAME --role admin</pre>
        </section>
      ) : null}
    </div>
  );
}
