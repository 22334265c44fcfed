/**
 * Operator view of the hosts: whether each is ready to run servers (the preflight's findings,
 * with their fixes) and how much CPU and memory is promised to servers, overcommit in words.
 */
import type { Host } from '@kumulus/api/schemas';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { UsageMeter } from '../../components/usage-meter.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

/**
 * Containers share the host's CPUs, so promising more vCPUs than there are is the normal
 * case; up to this ratio ordinary workloads rarely notice (a common hoster's rule of thumb).
 */
const CPU_OVERCOMMIT_OK = 4;

function Health({ host }: { host: Host }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { health } = host;
  return (
    <div data-testid="host-health" data-ok={health.ok}>
      <p className={`notice ${health.ok ? 'success' : 'error'}`}>
        <strong>{health.ok ? t('hosts.healthy') : t('hosts.unhealthy', { n: health.problems.length })}</strong>{' '}
        <span className="small muted">{t('hosts.checkedAt', { when: i18n.dateTime(health.checkedAt) })}</span>
      </p>
      {health.problems.length > 0 && (
        <ul className="plain host-problems">
          {health.problems.map((p) => (
            <li key={`${p.check}:${p.subject}`} data-check={p.check}>
              <strong className="mono">{p.subject}</strong>: {p.message}
              <br />
              <code className="small">{t('hosts.problemFix', { fix: p.fix })}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function HostCard({ host: h }: { host: Host }) {
  const i18n = useI18n();
  const { t } = i18n;
  const ratio = h.cpus > 0 ? h.allocatedVcpus / h.cpus : 0;
  const ratioText = i18n.number(Math.round(ratio * 10) / 10);
  const cpuNote = ratio <= 1 ? t('hosts.withinCapacity') : t(ratio > CPU_OVERCOMMIT_OK ? 'hosts.overcommitHigh' : 'hosts.overcommit', { ratio: ratioText });
  return (
    <section className="card" aria-labelledby={`host-${h.name}`}>
      <h2 id={`host-${h.name}`}>{h.name}</h2>
      <Health host={h} />
      <dl className="facts">
        <dt>{t('hosts.engine')}</dt>
        <dd>{h.engine}</dd>
        <dt>{t('hosts.servers')}</dt>
        <dd>{i18n.number(h.servers)}</dd>
      </dl>
      <UsageMeter
        label={t('hosts.cpu')}
        used={h.allocatedVcpus}
        total={h.cpus}
        redAbove={h.cpus * CPU_OVERCOMMIT_OK}
        words={t('hosts.cpuWords', { used: i18n.number(h.allocatedVcpus), total: i18n.number(h.cpus) })}
        note={<span data-testid="host-cpu-note">{cpuNote}</span>}
      />
      <UsageMeter
        label={t('hosts.memory')}
        used={h.allocatedMemoryMb}
        total={h.memoryMb}
        words={t('hosts.memoryWords', { used: i18n.megabytes(h.allocatedMemoryMb), total: i18n.megabytes(h.memoryMb) })}
        note={h.allocatedMemoryMb > h.memoryMb ? t('hosts.memoryOver') : t('hosts.withinCapacity')}
      />
    </section>
  );
}

/** The hosts page. */
export function HostsPage() {
  const { t } = useI18n();
  const hosts = usePoll(['hosts'], () => api.listHosts(), 5000);
  return (
    <section aria-labelledby="hosts-title">
      <h1 id="hosts-title">{t('hosts.title')}</h1>
      <ErrorNotice error={hosts.error} onRetry={hosts.reload} />
      <ListBody items={hosts.data?.items} loading={hosts.loading} empty={t('hosts.empty')}>
        {(items) => (
          <div className="grid">
            {items.map((h) => (
              <HostCard key={h.name} host={h} />
            ))}
          </div>
        )}
      </ListBody>
    </section>
  );
}
