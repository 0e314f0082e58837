import Link from 'next/link';

export default function ClusterNotFound() {
  return (
    <section className="card" aria-labelledby="nf-title">
      <h1 id="nf-title">Cluster not found</h1>
      <p>No cluster has this id or name. It may have been removed.</p>
      <Link href="/">Back to the overview</Link>
    </section>
  );
}
