/** Zones (operators): what may talk to what — the allowed-flows matrix between zones. */
import type { Zone, ZoneFlow } from '@kumulus/api/firewall';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const flowText = (f: ZoneFlow) => `${f.protocol}${f.ports ? `/${f.ports.join(',')}` : ''}`;

/** The zones page: the zones with their networks, and the matrix (rows: from, columns: to). */
export function ZonesPage() {
  const { t } = useI18n();
  const zones = usePoll(['zones'], () => api.all((q) => api.listZones(q)), 0);
  const cell = (from: Zone, to: Zone) => (from.id === to.id ? '·' : from.flows.filter((f) => f.to === to.id).map(flowText).join(', ') || t('zones.none'));
  return (
    <section aria-labelledby="zones-title" className="stack">
      <h1 id="zones-title">{t('zones.title')}</h1>
      <p className="muted">{t('zones.intro')}</p>
      <ErrorNotice error={zones.error} />
      <ListBody items={zones.data} loading={zones.loading} empty={t('zones.empty')}>
        {(items) => (
          <>
            <table className="list" aria-label={t('zones.title')}>
              <thead>
                <tr>
                  <th scope="col">{t('zones.name')}</th>
                  <th scope="col">{t('zones.purpose')}</th>
                  <th scope="col">{t('zones.networks')}</th>
                  <th scope="col">{t('zones.pools')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((z) => (
                  <tr key={z.id}>
                    <th scope="row">{z.name}</th>
                    <td>{z.purpose}</td>
                    <td className="mono">{z.networks.join(', ') || '–'}</td>
                    <td className="mono">{z.pools.join(', ') || '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>{t('zones.matrix')}</h2>
            <table className="list matrix" aria-label={t('zones.matrix')}>
              <thead>
                <tr>
                  <th scope="col">{t('zones.fromTo')}</th>
                  {items.map((z) => <th key={z.id} scope="col">{z.name}</th>)}
                </tr>
              </thead>
              <tbody>
                {items.map((from) => (
                  <tr key={from.id}>
                    <th scope="row">{from.name}</th>
                    {items.map((to) => <td key={to.id} data-from={from.name} data-to={to.name}>{cell(from, to)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </ListBody>
    </section>
  );
}
