/**
 * Operator view of the hosts: whether each is ready to run servers (the preflight's findings,
 * with their fixes), how much CPU and memory is promised to servers, overcommit in words, and
 * every server placed on it, of every tenant.
 */
import type { Host } from '@kumulus/api/schemas';
import { Link } from 'wouter';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { PhaseBadge } from '../../components/phase-badge.tsx';
import { ResourceList } from '../../components/resource-list.tsx';
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

/** Every server placed on the host, of every tenant, sortable and filtered like any list. */
function HostServers({ host }: { host: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const servers = usePoll(['servers', 'host', host], () => api.all((q) => api.listServers({ ...q, tenant: 'all', node: host })), 10_000);
  return (
    <>
      <h3>{t('hosts.serversOn')}</h3>
      <ErrorNotice error={servers.error} />
      <ResourceList
        label={t('hosts.serversOn')}
        items={servers.data}
        loading={servers.loading}
        empty={t('servers.empty')}
        rowKey={(s) => s.id}
        rowProps={(s) => ({ 'data-host-server': s.id })}
        filterText={(s) => `${s.name} ${s.tenantId} ${s.status.phase}`}
        initialSort={{ key: 'name', dir: 'asc' }}
        columns={[
          { key: 'name', header: t('servers.name'), rowHeader: true, cell: (s) => <Link href={`/servers/${s.id}`}>{s.name}</Link>, sortValue: (s) => s.name },
          { key: 'tenant', header: t('servers.tenant'), className: 'mono', cell: (s) => s.tenantId, sortValue: (s) => s.tenantId },
          { key: 'phase', header: t('servers.phase'), cell: (s) => <PhaseBadge phase={s.status.phase} />, sortValue: (s) => s.status.phase },
          { key: 'plan', header: t('servers.plan'), cell: (s) => s.spec.plan, sortValue: (s) => s.spec.plan },
        ]}
        onError={() => {}}
      />
    </>
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
      <HostServers host={h.name} />
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
