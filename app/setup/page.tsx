import type { Metadata } from 'next';
import { SetupForm } from '@/components/auth/setup-form';
import { setupTokenValid } from '@/lib/data/auth';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'First admin' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** /setup?token=…: the one-time link printed at first start. Anyone with the link can use it once. */
export default async function SetupPage({ searchParams }: Props) {
  const raw = (await searchParams).token;
  const token = (Array.isArray(raw) ? raw[0] : raw) ?? '';
  const valid = await setupTokenValid(token);
  return (
    <div className="auth-page">
      <h1>Set up Quorum</h1>
      <section className="card" aria-label="First admin">
        {valid ? (
          <SetupForm token={token} />
        ) : (
          <p className="form-error" role="alert">
            This setup link is not valid: it was used already, it expired, or an account exists. Sign in, or on the server run{' '}
            <code>npm run quorum -- user add NAME --role admin</code>.
          </p>
        )}
      </section>
    </div>
  );
}
