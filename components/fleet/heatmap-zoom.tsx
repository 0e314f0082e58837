'use client';

// Click on a heatmap cell (or any element with data-href inside) to open that cluster for that day:
// one delegated handler for the whole heatmap, so the server-rendered SVG stays free of focusable
// children (keyboard users follow the row's name link).
import { useRouter } from 'next/navigation';

export function HeatmapZoom({ children }: { children: React.ReactNode }) {
  const router = useRouter();
  return (
    <div
      className="heatmap-zoom"
      onClick={(e) => {
        const el = (e.target as Element).closest('[data-href]');
        const href = el?.getAttribute('data-href');
        if (href) router.push(href);
      }}
    >
      {children}
    </div>
  );
}
