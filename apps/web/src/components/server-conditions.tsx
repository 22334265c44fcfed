/**
 * A server's status conditions in plain words: what the control plane last observed and since
 * when ("Server: Stopped – since 20:31"), never the raw `Ready True Stopped` triple.
 */
import type { Condition, Operation, Server } from '@kumulus/api/schemas';
import { useI18n } from '../i18n/i18n.tsx';
import { conditionText, conditionTone, conditionTypeLabel, operationErrorText } from '../i18n/labels.ts';

/**
 * When the server entered its phase: `status.phaseSince`, else (a server last written before
 * the API recorded it) the Ready condition's transition.
 */
export function phaseSince(server: Server): string | undefined {
  return server.status.phaseSince ?? server.status.conditions.find((c) => c.type === 'Ready')?.lastTransitionAt;
}

/** Lists conditions with their state, a sentence, and when they last changed; `ops` newest first. */
export function ServerConditions({ server, ops }: { server: Server; ops: Operation[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const conditions = server.status.conditions;
  const failedOp = ops.find((o) => o.state === 'failed' && o.error);
  const failure = failedOp?.error ? operationErrorText(i18n, failedOp.error) : undefined;
  // The Ready condition speaks of the phase, so its "since" is the phase's.
  const sinceOf = (c: Condition) => (c.type === 'Ready' ? (phaseSince(server) ?? c.lastTransitionAt) : c.lastTransitionAt);
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
              <th scope="col">{t('detail.condState')}</th>
              <th scope="col">{t('detail.condMessage')}</th>
              <th scope="col">{t('detail.condSince')}</th>
            </tr>
          </thead>
          <tbody>
            {conditions.map((c) => {
              const { state, message } = conditionText(i18n, c, { image: server.spec.image, failure });
              const since = sinceOf(c);
              return (
                <tr key={c.type} data-testid="condition" data-type={c.type}>
                  <th scope="row" data-label={t('detail.condType')}>
                    {conditionTypeLabel(i18n, c)}
                  </th>
                  <td data-label={t('detail.condState')}>
                    <span className={`badge cond-${conditionTone(c)}`}>{state}</span>
                  </td>
                  <td data-label={t('detail.condMessage')}>{message}</td>
                  <td data-label={t('detail.condSince')}>
                    <time dateTime={since} title={i18n.dateTime(since)}>
                      {i18n.relative(since)}
                    </time>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
