'use client';

// Click on a heatmap cell (or any element with data-href inside) to open that cluster for that day:
// one delegated handler for the whole heatmap, so the server-rendered SVG stays free of focusable
// children (keyboard users follow the row's name link).
import { useRouter } from 'next/navigation';

export function HeatmapZoom({ children }: { children: React.ReactNode }) {
  const router = useRouter();
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a delegated mouse shortcut over the SVG; keyboard users follow each row's name link (above).
    // biome-ignore lint/a11y/useKeyWithClickEvents: as above: the keyboard path is the row link, so the cells stay out of the tab order.
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
