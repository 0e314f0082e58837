import Link from 'next/link';

export default function NotFound() {
  return (
    <section className="card" aria-labelledby="nf-title">
      <h1 id="nf-title">Not found</h1>
      <p>There is no such page or cluster. It may have been removed.</p>
      <Link href="/">Back to the overview</Link>
    </section>
  );
}
