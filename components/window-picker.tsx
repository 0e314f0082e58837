// The SLO window picker: plain links (?window=…), so every view is a shareable URL and works without JS.
import Link from 'next/link';
import { RANGE_PRESETS, type RangePreset } from '@/lib/slo/range';

const LABEL: Record<RangePreset, string> = { '7d': '7 days', '28d': '28 days', '30d': '30 days', '90d': '90 days' };

function WindowPicker({ current, hrefs }: { current: RangePreset; hrefs: Record<RangePreset, string> }) {
  return (
    <nav aria-label="SLO window" className="window-picker">
      <span className="muted" aria-hidden="true">
        Window:
      </span>
      <ul>
        {RANGE_PRESETS.map((w) => (
          <li key={w}>
            <Link href={hrefs[w]} aria-current={w === current ? 'page' : undefined} className={w === current ? 'active' : undefined}>
              <span className="sr-only">rolling </span>
              {LABEL[w]}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The toolbar above a windowed page: a bad ?window= said as what is shown instead, and the picker. */
export function WindowToolbar({ current, hrefs, error }: { current: RangePreset; hrefs: Record<RangePreset, string>; error: string | null }) {
  return (
    <div className="toolbar">
      {error ? (
        <p className="form-error" role="alert">
          <code>invalid-input</code>: {error} — showing {LABEL[current]}.
        </p>
      ) : (
        <span />
      )}
      <WindowPicker current={current} hrefs={hrefs} />
    </div>
  );
}
