// The time range of a page: the SLO window presets (plain links, ?window=30d), quick relative ranges
// (?from=now-6h&to=now) and any from–to (components/custom-range-form.tsx). Every range is a URL.
import Link from 'next/link';
import { CustomRangeForm } from '@/components/custom-range-form';
import { formatRange, type DisplayZone } from '@/lib/format';
import { RANGE_PRESETS, rangeLengthLabel, type RangePreset, type TimeRange } from '@/lib/slo/range';

const LABEL: Record<RangePreset, string> = { '7d': '7 days', '28d': '28 days', '30d': '30 days', '90d': '90 days' };
const QUICK = [
  { from: 'now-1h', label: '1 h' },
  { from: 'now-6h', label: '6 h' },
  { from: 'now-24h', label: '24 h' },
] as const;

/** `path?<other params>&<range params>`: links that change only the range. */
function hrefWith(path: string, keep: URLSearchParams, range: Array<[string, string]>): string {
  const p = new URLSearchParams(keep);
  for (const k of ['window', 'from', 'to']) p.delete(k);
  for (const [k, v] of range) p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

function LinkGroup({ label, prefix, links }: { label: string; prefix: string; links: Array<{ key: string; href: string; text: string; sr: string; current: boolean }> }) {
  return (
    <nav aria-label={label} className="window-picker">
      <span className="muted" aria-hidden="true">
        {prefix}
      </span>
      <ul>
        {links.map((l) => (
          <li key={l.key}>
            <Link href={l.href} aria-current={l.current ? 'page' : undefined} className={l.current ? 'active' : undefined}>
              <span className="sr-only">{l.sr}</span>
              {l.text}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function RangePicker({ path, keep, range, zone }: { path: string; keep: URLSearchParams; range: TimeRange; zone: DisplayZone }) {
  const custom = range.preset === null;
  const quick = 'from' in range.query ? QUICK.find((q) => 'from' in range.query && range.query.from === q.from && range.query.to === 'now') : undefined;
  return (
    <div className="range-picker">
      <LinkGroup label="SLO window" prefix="Window:" links={RANGE_PRESETS.map((w) => ({ key: w, href: hrefWith(path, keep, [['window', w]]), text: LABEL[w], sr: 'rolling ', current: w === range.preset }))} />
      <LinkGroup label="Recent time" prefix="Last:" links={QUICK.map((q) => ({ key: q.from, href: hrefWith(path, keep, [['from', q.from], ['to', 'now']]), text: q.label, sr: 'last ', current: quick === q }))} />
      <CustomRangeForm path={path} keep={keep.toString()} startMs={range.startMs} endMs={range.endMs} zone={zone} />
      {custom ? (
        <p className="range-now muted" data-testid="range-label">
          Showing {formatRange(range.startMs, range.endMs, zone)} ({rangeLengthLabel(range.endMs - range.startMs)}
          {range.relative ? ', moving with now' : ''})
        </p>
      ) : null}
    </div>
  );
}
