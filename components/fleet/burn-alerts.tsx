// Multiwindow burn-rate alerts (SRE Workbook table scaled to the window): firing rows stand out;
// "no data" is said, never shown as OK.
import type { BurnAlertEvaluation } from '@/lib/slo/burn-rate';
import { formatBurnRate, formatCoverage, formatWindowShort } from '@/lib/format';
import { DataTable } from '@/components/data-table';

/** "no data", or "not covered: 71 % of 14m" when the window has data but below the coverage floor. */
function noDataText(a: BurnAlertEvaluation): string {
  const parts = [
    a.longCoverage !== null && a.longCoverage > 0 ? `${formatCoverage(a.longCoverage)} of ${formatWindowShort(a.longWindowMs)}` : null,
    a.shortCoverage !== null && a.shortCoverage > 0 && a.shortCoverage < 1 ? `${formatCoverage(a.shortCoverage)} of ${formatWindowShort(a.shortWindowMs)}` : null,
  ].filter((x): x is string => x !== null);
  return parts.length ? `not covered enough: ${parts.join(', ')}` : 'no data';
}

export function BurnAlerts({ alerts, compact = false }: { alerts: BurnAlertEvaluation[]; compact?: boolean }) {
  const firing = alerts.filter((a) => a.state === 'firing');
  const noData = alerts.every((a) => a.state === 'no-data');
  if (compact) {
    return (
      <p className="burn-alerts" data-testid="burn-alerts" data-firing={firing.length}>
        {alerts.length === 0 || noData ? (
          <span className="muted">Burn alerts: no data</span>
        ) : firing.length === 0 ? (
          <span className="muted">Burn alerts: none firing</span>
        ) : (
          [<span key="label">Burn alerts firing:</span>, ...firing.map((a) => (
            <span key={`${a.longWindowMs}`} className={`alert-chip alert-${a.severity}`} title={`${a.severity}: burn rate ${formatBurnRate(a.longBurnRate)} over ${formatWindowShort(a.longWindowMs)} and ${formatBurnRate(a.shortBurnRate)} over ${formatWindowShort(a.shortWindowMs)}, both above ${formatBurnRate(a.factor)}`}>
              <span aria-hidden="true">▲ </span>
              {a.severity} {formatWindowShort(a.longWindowMs)}/{formatWindowShort(a.shortWindowMs)}: {formatBurnRate(a.longBurnRate)}/{formatBurnRate(a.shortBurnRate)} &gt; {formatBurnRate(a.factor)}
            </span>
          ))]
        )}
      </p>
    );
  }
  return (
    <DataTable testId="burn-alerts-table" caption="Multiwindow burn-rate alerts (SRE Workbook table, scaled to the window): both windows above the factor fire" columns={['Severity', 'Long window', 'Short window', 'Factor', 'Burn rate long / short', 'State']}>
      {alerts.map((a) => (
        <tr key={a.longWindowMs} data-state={a.state}>
          <th scope="row">{a.severity}</th>
          <td>{formatWindowShort(a.longWindowMs)}</td>
          <td>{formatWindowShort(a.shortWindowMs)}</td>
          <td>{formatBurnRate(a.factor)}</td>
          <td>
            {formatBurnRate(a.longBurnRate)} / {formatBurnRate(a.shortBurnRate)}
          </td>
          <td className={a.state === 'firing' ? 'check-failed' : a.state === 'ok' ? 'check-ok' : 'muted'}>{a.state === 'firing' ? '▲ firing' : a.state === 'ok' ? '✓ ok' : noDataText(a)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
