/** One network: its range, DHCP/DNS service and domain, and every address held on it with the server holding it. */
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Loading } from '../../components/loading.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { Link } from 'wouter';
import { usePoll } from '../../lib/use-poll.ts';

/** The network detail page. */
export function NetworkDetailPage({ id }: { id: string }) {
  const { t } = useI18n();
  const data = usePoll(
    ['network', id, 'with-allocations'],
    async () => {
      const [network, allocations, servers] = await Promise.all([api.getNetwork(id), api.listNetworkAllocations(id), api.all((q) => api.listServers(q))]);
      return { network, allocations: allocations.items, names: new Map(servers.map((s) => [s.id, s.name])) };
    },
    10_000,
  );
  if (data.loading && !data.data) return <Loading />;
  if (!data.data) return <ErrorNotice error={data.error} onRetry={data.reload} />;
  const { network: n, allocations, names } = data.data;
  return (
    <section aria-labelledby="network-title">
      <p>
        <Link href="/networks">{t('net.back')}</Link>
      </p>
      <h1 id="network-title">{n.name}</h1>
      <dl className="facts">
        <dt>{t('net.cidr')}</dt>
        <dd className="mono">{n.ipv4Cidr}</dd>
        <dt>{t('net.ipv6')}</dt>
        <dd className="mono">{n.ipv6Cidr ?? t('app.none')}</dd>
        <dt>{t('net.gateway')}</dt>
        <dd className="mono">{n.gateway ?? t('app.none')}</dd>
        <dt>{t('net.dns')}</dt>
        <dd className="mono">{n.dnsServer}</dd>
        <dt>{t('net.domain')}</dt>
        <dd className="mono">{n.dnsDomain}</dd>
        <dt>{t('net.phase')}</dt>
        <dd>{n.status.phase}</dd>
      </dl>
      <h2 id="allocations-title">{t('net.allocations')}</h2>
      <table className="list cards-on-phone" aria-labelledby="allocations-title">
        <thead>
          <tr>
            <th scope="col">{t('net.address')}</th>
            <th scope="col">{t('net.heldBy')}</th>
          </tr>
        </thead>
        <tbody>
          {allocations.map((a) => (
            <tr key={a.address}>
              <th scope="row" data-label={t('net.address')} className="mono">
                {a.address}
                {a.ipv6 && <div>{a.ipv6}</div>}
              </th>
              <td data-label={t('net.heldBy')}>{a.serverId ? <Link href={`/servers/${a.serverId}`}>{names.get(a.serverId) ?? a.serverId}</Link> : t('net.service')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
