/** Operator view of the hosts: how much CPU and memory is promised to servers on each. */
import { ErrorNotice } from '../components/error-notice.tsx';
import { ListBody } from '../components/list-body.tsx';
import { UsageMeter } from '../components/usage-meter.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { api } from '../lib/api.ts';
import { usePoll } from '../lib/use-poll.ts';

/** The hosts page. */
export function HostsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const hosts = usePoll(() => api.listHosts(), 5000);
  return (
    <section aria-labelledby="hosts-title">
      <h1 id="hosts-title">{t('hosts.title')}</h1>
      <ErrorNotice error={hosts.error} onRetry={hosts.reload} />
      <ListBody items={hosts.data?.items} loading={hosts.loading} empty={t('hosts.empty')}>
        {(items) => (
          <div className="grid">
            {items.map((h) => (
              <section key={h.name} className="card" aria-labelledby={`host-${h.name}`}>
                <h2 id={`host-${h.name}`}>{h.name}</h2>
                <dl className="facts">
                  <dt>{t('hosts.engine')}</dt>
                  <dd>{h.engine}</dd>
                  <dt>{t('hosts.servers')}</dt>
                  <dd>{i18n.number(h.servers)}</dd>
                </dl>
                <UsageMeter label={t('hosts.cpu')} used={h.allocatedVcpus} total={h.cpus} format={i18n.number} />
                <UsageMeter label={t('hosts.memory')} used={h.allocatedMemoryMb} total={h.memoryMb} format={i18n.megabytes} />
              </section>
            ))}
          </div>
        )}
      </ListBody>
    </section>
  );
}
