import { PageSkeleton } from '@/components/skeletons';

export default function Loading() {
  return <PageSkeleton titleWidth="10rem" cards={1} cardHeight="24rem" />;
}
