/**
 * The traffic card of the server page: bytes into and out of the server per hour, as bars in
 * one SVG, for all its NICs or one of them, over the last day, week or month; from the hourly
 * rows the control plane books (`GET /servers/{id}/traffic`), refreshed each minute.
 */
import type { Network, ServerTraffic } from '@kumulus/api';
import { useId, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const W = 640;
const H = 180;
const PAD = { left: 64, right: 12, top: 12, bottom: 24 };
const HOUR = 3_600_000;
const RANGES = [24, 168, 744] as const;

/** Bytes in binary units (B, KiB … TiB), one decimal. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** One bar pair per hour of the range: what came in and what went out, of the NIC picked or of all. */
export function hourlySeries(data: ServerTraffic, hours: number, nic: string): { hour: number; inBytes: number; outBytes: number }[] {
  const since = Date.parse(data.since);
  const slots = Array.from({ length: hours }, (_, i) => ({ hour: since + i * HOUR, inBytes: 0, outBytes: 0 }));
  for (const n of data.nics) {
    if (nic && n.nicId !== nic) continue;
    for (const h of n.items) {
      const slot = slots[Math.round((Date.parse(h.hour) - since) / HOUR)];
      if (!slot) continue;
      slot.inBytes += h.inBytes;
      slot.outBytes += h.outBytes;
    }
  }
  return slots;
}

/** The traffic card of a server with these NICs (each labelled by its network's name and its address). */
export function ServerTrafficSection({ serverId, nics }: { serverId: string; nics: { id: string; network: string; ipv4: string }[] }) {
  const i18n = useI18n();
  // The same query as the NICs card: one request serves both.
  const networks = usePoll(['networks', 'all'], () => api.all((q) => api.request<{ items: Network[]; nextCursor: string | null }>('GET', '/networks', undefined, q)), 0);
  const nicNames = Object.fromEntries(nics.map((n) => [n.id, `${networks.data?.find((x) => x.id === n.network)?.name ?? n.network} · ${n.ipv4}`]));
  const { t } = i18n;
  const uid = useId();
  const [hours, setHours] = useState<number>(24);
  const [nic, setNic] = useState('');
  const traffic = usePoll(
    ['server', serverId, 'traffic', hours],
    (signal) => api.request<ServerTraffic>('GET', `/servers/${encodeURIComponent(serverId)}/traffic`, undefined, { hours: String(hours) }, { signal }),
    60_000,
  );
  const data = traffic.data;
  const series = data ? hourlySeries(data, hours, nic) : [];
  const totalIn = series.reduce((n, s) => n + s.inBytes, 0);
  const totalOut = series.reduce((n, s) => n + s.outBytes, 0);
  const top = Math.max(1, ...series.map((s) => Math.max(s.inBytes, s.outBytes))) * 1.1;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, series.length);
  const y = (b: number) => H - PAD.bottom - (b / top) * (H - PAD.top - PAD.bottom);
  const nicIds = [...new Set([...Object.keys(nicNames), ...(data?.nics.map((n) => n.nicId) ?? [])])];
  const label = (id: string) => nicNames[id] ?? t('traffic.detachedNic', { id });

  return (
    <section className="card" aria-labelledby={`${uid}-title`} data-testid="server-traffic">
      <h2 id={`${uid}-title`}>{t('traffic.title')}</h2>
      <ErrorNotice error={traffic.error} />
      <div className="row">
        <label htmlFor={`${uid}-range`}>{t('traffic.range')}</label>{' '}
        <select id={`${uid}-range`} value={hours} onChange={(e) => setHours(Number(e.target.value))} data-testid="traffic-range">
          {RANGES.map((r) => (
            <option key={r} value={r}>
              {t(`traffic.range.${r}`)}
            </option>
          ))}
        </select>{' '}
        <label htmlFor={`${uid}-nic`}>{t('traffic.nic')}</label>{' '}
        <select id={`${uid}-nic`} value={nic} onChange={(e) => setNic(e.target.value)} data-testid="traffic-nic">
          <option value="">{t('traffic.allNics')}</option>
          {nicIds.map((id) => (
            <option key={id} value={id}>
              {label(id)}
            </option>
          ))}
        </select>
      </div>
      <figure className="cost-chart traffic-chart">
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${uid}-chart`} data-testid="traffic-chart">
          <title id={`${uid}-chart`}>{t('traffic.chartTitle', { in: formatBytes(totalIn), out: formatBytes(totalOut) })}</title>
          {[0, top / 2, top].map((b) => (
            <g key={b}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(b)} y2={y(b)} className="grid-line" />
              <text x={PAD.left - 6} y={y(b) + 4} textAnchor="end" className="axis">
                {formatBytes(b)}
              </text>
            </g>
          ))}
          {series.map((s, i) =>
            s.inBytes || s.outBytes ? (
              <g key={s.hour} data-testid="traffic-bar">
                <title>{t('traffic.barTitle', { hour: i18n.dateTime(new Date(s.hour).toISOString()), in: formatBytes(s.inBytes), out: formatBytes(s.outBytes) })}</title>
                <rect x={PAD.left + i * slot} y={y(s.inBytes)} width={Math.max(0.5, slot / 2 - 0.5)} height={H - PAD.bottom - y(s.inBytes)} className="bar-in" />
                <rect x={PAD.left + i * slot + slot / 2} y={y(s.outBytes)} width={Math.max(0.5, slot / 2 - 0.5)} height={H - PAD.bottom - y(s.outBytes)} className="bar-out" />
              </g>
            ) : null,
          )}
          {series.length > 0 && (
            <>
              <text x={PAD.left} y={H - 6} className="axis">
                {i18n.dateTime(new Date(series[0]!.hour).toISOString())}
              </text>
              <text x={W - PAD.right} y={H - 6} textAnchor="end" className="axis">
                {t('traffic.now')}
              </text>
            </>
          )}
        </svg>
        <figcaption className="small muted">
          <span className="legend in">{t('traffic.legendIn', { total: formatBytes(totalIn) })}</span> <span className="legend out">{t('traffic.legendOut', { total: formatBytes(totalOut) })}</span>
        </figcaption>
      </figure>
      {data && totalIn + totalOut === 0 && <p className="muted small">{t('traffic.none')}</p>}
    </section>
  );
}
