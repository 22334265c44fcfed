/**
 * The month in one SVG: what has been spent so far (from the ledger's charges, then the live
 * figure now) and, dashed, the forecast from now to the month's end at the current usage.
 */
import type { BillingSummary, LedgerEntry } from '@kumulus/api';
import { useI18n } from '../../i18n/i18n.tsx';

const W = 640;
const H = 200;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/** The cost chart of a month; `charges` are the ledger lines of kind charge. */
export function CostChart({ summary, charges }: { summary: BillingSummary; charges: LedgerEntry[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const start = Date.parse(summary.month.start);
  const end = Date.parse(summary.month.end);
  const now = Date.parse(summary.at);
  // Cumulative spend in cents over the month: each booked charge adds its amount at its time.
  const points: [number, number][] = [[start, 0]];
  let sum = 0;
  for (const c of charges.filter((e) => Date.parse(e.at) >= start).sort((a, b) => a.at.localeCompare(b.at))) {
    sum += -c.amount.cents;
    points.push([Date.parse(c.at), sum]);
  }
  points.push([now, Math.max(sum, summary.spent.cents)]);
  const top = Math.max(1, summary.forecast.cents, summary.spent.cents) * 1.1;
  const x = (ms: number) => PAD.left + ((ms - start) / (end - start)) * (W - PAD.left - PAD.right);
  const y = (cents: number) => H - PAD.bottom - (cents / top) * (H - PAD.top - PAD.bottom);
  const path = points.map(([ms, c]) => `${x(ms).toFixed(1)},${y(c).toFixed(1)}`).join(' ');
  const eur = (cents: number) => i18n.money({ amount: Math.round(cents), currency: 'EUR' });
  const ticks = [0, top / 2, top];
  return (
    <figure className="cost-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="cost-chart-title" data-testid="cost-chart">
        <title id="cost-chart-title">{t('billing.chartTitle', { spent: eur(summary.spent.cents), forecast: eur(summary.forecast.cents) })}</title>
        {ticks.map((c) => (
          <g key={c}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(c)} y2={y(c)} className="grid-line" />
            <text x={PAD.left - 6} y={y(c) + 4} textAnchor="end" className="axis">
              {eur(c)}
            </text>
          </g>
        ))}
        <text x={PAD.left} y={H - 8} className="axis">
          {i18n.dateTime(summary.month.start).split(',')[0]}
        </text>
        <text x={W - PAD.right} y={H - 8} textAnchor="end" className="axis">
          {i18n.dateTime(new Date(end - 1).toISOString()).split(',')[0]}
        </text>
        <polyline points={path} className="spent-line" fill="none" data-testid="spent-line" />
        <line x1={x(now)} y1={y(Math.max(sum, summary.spent.cents))} x2={x(end)} y2={y(summary.forecast.cents)} className="forecast-line" data-testid="forecast-line" />
      </svg>
      <figcaption className="small muted">
        <span className="legend spent">{t('billing.legendSpent')}</span> <span className="legend forecast">{t('billing.legendForecast')}</span>
      </figcaption>
    </figure>
  );
}
