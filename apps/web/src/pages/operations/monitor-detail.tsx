/** One monitor: its state, uptime and target, and the history of its checks, newest first. */
import { monitorApi } from '@kumulus/api/monitors-client';
import { Link } from 'wouter';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { Loading } from '../../components/loading.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';
import { MonitorStateBadge, targetOf, uptime } from './monitor-state.tsx';

const monitors = monitorApi(api);

/** The monitor detail page. */
export function MonitorDetailPage({ id }: { id: string }) {
  const { t, dateTime } = useI18n();
  const mon = usePoll(['monitors', id], () => monitors.get(id), () => 10_000);
  const results = usePoll(['monitors', id, 'results'], async () => (await monitors.results(id, { order: 'desc', limit: 100 })).items, () => 10_000);
  const m = mon.data;
  return (
    <section aria-labelledby="monitor-title">
      <p>
        <Link href="/monitors">{t('mon.back')}</Link>
      </p>
      <ErrorNotice error={mon.error ?? results.error} />
      {!m ? (
        <Loading />
      ) : (
        <>
          <h1 id="monitor-title">
            {m.name} <MonitorStateBadge monitor={m} />
          </h1>
          <dl className="card fields">
            <dt>{t('mon.type')}</dt>
            <dd>{t(`mon.type.${m.type}`)}</dd>
            <dt>{t('mon.target')}</dt>
            <dd className="mono">{targetOf(m)}</dd>
            <dt>{t('mon.uptime24h')}</dt>
            <dd>{uptime(m.status.uptime24h)}</dd>
            <dt>{t('mon.uptime30d')}</dt>
            <dd>{uptime(m.status.uptime30d)}</dd>
            <dt>{t('mon.lastCheck')}</dt>
            <dd>
              {dateTime(m.status.lastCheckedAt)} {m.status.lastMessage ?? ''}
            </dd>
            {m.status.certificateExpiresAt && (
              <>
                <dt>{t('mon.certificate')}</dt>
                <dd>{dateTime(m.status.certificateExpiresAt)}</dd>
              </>
            )}
          </dl>
        </>
      )}
      <h2>{t('mon.history')}</h2>
      <ListBody items={results.data} loading={results.loading} empty={t('mon.noResults')}>
        {(items) => (
          <table className="list cards-on-phone" aria-label={t('mon.history')}>
            <thead>
              <tr>
                <th scope="col">{t('mon.time')}</th>
                <th scope="col">{t('mon.result')}</th>
                <th scope="col">{t('mon.responseMs')}</th>
                <th scope="col">{t('mon.message')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-ok={r.ok}>
                  <th scope="row" data-label={t('mon.time')}>
                    {dateTime(r.at)}
                  </th>
                  <td data-label={t('mon.result')}>
                    <span className={`badge ${r.ok ? 'phase-running' : 'phase-failed'}`}>{t(r.ok ? 'mon.ok' : 'mon.failed')}</span>
                  </td>
                  <td data-label={t('mon.responseMs')}>{r.responseMs ?? t('app.none')}</td>
                  <td data-label={t('mon.message')}>{r.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}
