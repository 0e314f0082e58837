import { PageSkeleton } from '@/components/skeletons';

export default function Loading() {
  return <PageSkeleton titleWidth="16rem" label="Loading the report…" />;
}
