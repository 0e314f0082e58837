import type { Metadata } from 'next';
import { AddClusterForm } from '@/components/add-cluster-form';
import { requirePage } from '@/lib/auth/page';

export const metadata: Metadata = { title: 'Add cluster' };

export default async function NewClusterPage() {
  await requirePage('clusters:write');
  return (
    <>
      <h1>Add cluster</h1>
      <p className="muted">
        Quorum needs read access to <code>/version</code>, <code>/livez</code> and <code>/readyz</code>. Exec plugins and
        auth providers are not supported: use a token or client certificate.
      </p>
      <AddClusterForm />
    </>
  );
}
