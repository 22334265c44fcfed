/** A NIC's firewall log: the last packets dropped at it (and those of rules with log), newest first. */
import type { FirewallLogEntry } from '@kumulus/api/firewall';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const addr = (a: string, port?: number) => (port === undefined ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);

/** The log table of one NIC, refreshed every few seconds while shown. */
export function NicFirewallLog({ serverId, nicId }: { serverId: string; nicId: string }) {
  const { t } = useI18n();
  const log = usePoll(['firewall-log', serverId, nicId], () => api.nicFirewallLog(serverId, nicId), 5000);
  const why = (e: FirewallLogEntry) => (e.reason === 'rule' ? t('fwlog.rule', { firewall: e.firewall ?? '', index: String((e.rule ?? 0) + 1), direction: t(e.direction === 'in' ? 'firewall.inbound' : 'firewall.outbound') }) : t(`fwlog.reason.${e.reason}`));
  const items = log.data?.items ?? [];
  return (
    <div className="stack" data-testid="nic-firewall-log">
      <ErrorNotice error={log.error} />
      {items.length === 0 ? <p className="muted">{t('fwlog.empty')}</p> : (
        <table className="list compact" aria-label={t('fwlog.title')}>
          <thead>
            <tr>
              <th scope="col">{t('fwlog.time')}</th>
              <th scope="col">{t('fwlog.direction')}</th>
              <th scope="col">{t('firewall.action')}</th>
              <th scope="col">{t('firewall.protocol')}</th>
              <th scope="col">{t('fwlog.source')}</th>
              <th scope="col">{t('fwlog.destination')}</th>
              <th scope="col">{t('fwlog.why')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td className="nowrap">{new Date(e.at).toLocaleTimeString()}</td>
                <td>{t(e.direction === 'in' ? 'firewall.inbound' : 'firewall.outbound')}</td>
                <td>{e.action}</td>
                <td>{e.protocol}</td>
                <td className="mono">{addr(e.source, e.sourcePort)}</td>
                <td className="mono">{addr(e.destination, e.destinationPort)}</td>
                <td>{why(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
