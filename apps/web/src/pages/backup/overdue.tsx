/**
 * The operators' overdue-backup report on the backups page: every server whose latest
 * verified-good backup is older than its schedule promises, with the run it owes and its last
 * good backup; a short all-clear when there is none.
 */
import { backupApi } from '@kumulus/api/backups-client';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const backups = backupApi(api);

/** The overdue report (operators only: the caller shows it to them). */
export function OverdueBackups() {
  const i18n = useI18n();
  const { t } = i18n;
  const report = usePoll(['backups', 'overdue'], () => backups.overdue({ tenant: 'all' }), () => 30_000);
  const items = report.data?.items ?? [];
  return (
    <section aria-labelledby="overdue-title">
      <h2 id="overdue-title">{t('backups.overdue.title')}</h2>
      <ErrorNotice error={report.error} />
      {report.data && items.length === 0 ? (
        <p className="muted" data-testid="overdue-none">
          {t('backups.overdue.none')}
        </p>
      ) : (
        <table className="list compact cards-on-phone" aria-label={t('backups.overdue.title')}>
          <thead>
            <tr>
              <th scope="col">{t('backups.server')}</th>
              <th scope="col">{t('backups.overdue.tenant')}</th>
              <th scope="col">{t('backups.overdue.schedule')}</th>
              <th scope="col">{t('backups.overdue.promised')}</th>
              <th scope="col">{t('backups.overdue.lastGood')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((x) => (
              <tr key={`${x.schedule.id}:${x.server.id}`} data-testid="overdue">
                <th scope="row" data-label={t('backups.server')}>
                  {x.server.name}
                </th>
                <td data-label={t('backups.overdue.tenant')}>{x.tenantId}</td>
                <td data-label={t('backups.overdue.schedule')}>{x.schedule.name}</td>
                <td data-label={t('backups.overdue.promised')}>
                  <time dateTime={x.promisedAt}>{i18n.dateTime(x.promisedAt)}</time>
                </td>
                <td data-label={t('backups.overdue.lastGood')}>{x.lastGoodAt ? <time dateTime={x.lastGoodAt}>{i18n.dateTime(x.lastGoodAt)}</time> : t('backups.overdue.never')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
