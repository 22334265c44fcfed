/** A server's status conditions as a table: what the reconciler last observed and why. */
import type { Condition } from '@kumulus/api/schemas';
import { useI18n } from '../i18n/i18n.tsx';

/** Lists conditions with reason, message and when they last changed. */
export function ServerConditions({ conditions }: { conditions: Condition[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <section className="card" aria-labelledby="cond-title">
      <h2 id="cond-title">{t('detail.conditions')}</h2>
      {conditions.length === 0 ? (
        <p className="muted">{t('detail.noConditions')}</p>
      ) : (
        <table className="list compact cards-on-phone">
          <thead>
            <tr>
              <th scope="col">{t('detail.condType')}</th>
              <th scope="col">{t('detail.condStatus')}</th>
              <th scope="col">{t('detail.condReason')}</th>
              <th scope="col">{t('detail.condMessage')}</th>
              <th scope="col">{t('detail.condSince')}</th>
            </tr>
          </thead>
          <tbody>
            {conditions.map((c) => (
              <tr key={c.type}>
                <th scope="row" data-label={t('detail.condType')}>
                  {c.type}
                </th>
                <td data-label={t('detail.condStatus')}>
                  <span className={`badge cond-${c.status.toLowerCase()}`}>{c.status}</span>
                </td>
                <td data-label={t('detail.condReason')}>{c.reason}</td>
                <td data-label={t('detail.condMessage')}>{c.message}</td>
                <td data-label={t('detail.condSince')}>
                  <time dateTime={c.lastTransitionAt} title={i18n.dateTime(c.lastTransitionAt)}>
                    {i18n.relative(c.lastTransitionAt)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
