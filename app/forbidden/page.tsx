import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/page';
import { isRole } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Not allowed' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ForbiddenPage({ searchParams }: Props) {
  const me = await requirePage();
  const raw = (await searchParams).need;
  const need = Array.isArray(raw) ? raw[0] : raw;
  return (
    <section className="card" role="alert">
      <h1>Not allowed</h1>
      <p>
        This page needs the <strong>{isRole(need) ? need : 'admin'}</strong> role; you ({me.name}) have the <strong>{me.role}</strong> role. Ask an admin if you need more.
      </p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
