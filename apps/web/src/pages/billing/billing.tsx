/**
 * The tenant's billing page: credit and standing (a suspension said plainly, with its deadline),
 * how to top up (the payment reference), the cost monitor with the month's chart and forecast,
 * the quotas with their use, and the latest notices.
 */
import type { Amount, QuotaValues } from '@kumulus/api';
import { CopyButton } from '../../components/copy-button.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { UsageMeter } from '../../components/usage-meter.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';
import { CostChart } from './cost-chart.tsx';

const QUOTA_LABELS: [keyof QuotaValues, MessageKey][] = [
  ['servers', 'quota.servers'],
  ['vcpus', 'quota.vcpus'],
  ['memoryMb', 'quota.memoryMb'],
  ['diskGb', 'quota.diskGb'],
  ['volumes', 'quota.volumes'],
  ['volumeGb', 'quota.volumeGb'],
  ['publicIps', 'quota.publicIps'],
];

const BILLED_AS: Record<'running' | 'stopped' | 'held', MessageKey> = { running: 'billing.asRunning', stopped: 'billing.asStopped', held: 'billing.asHeld' };
const KINDS = ['server', 'volume', 'snapshot', 'backup', 'public-ip', 'public-ipv4', 'public-ipv6', 'traffic'] as const;

/** The words for a resource kind or priced product (an unknown one as it is). */
export function useKindWord() {
  const { t } = useI18n();
  return (kind: string) => ((KINDS as readonly string[]).includes(kind) ? t(`billing.kind.${kind}` as MessageKey) : kind);
}

/** An exact amount in the page's language, rounded to the cent as the API rounds it. */
export function useEuro() {
  const i18n = useI18n();
  return (a: Amount) => i18n.money({ amount: a.cents, currency: a.currency });
}

/** The billing page. */
export function BillingPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const euro = useEuro();
  const kindWord = useKindWord();
  const summary = usePoll(['billing', 'summary'], () => api.billingSummary(), 15_000);
  const standing = usePoll(['billing', 'standing'], () => api.standing(), 15_000);
  const quotas = usePoll(['quotas'], () => api.quotas(), 30_000);
  const notices = usePoll(['notices'], () => api.listNotices(), 30_000);
  const charges = usePoll(['billing', 'charges'], () => api.all((q) => api.listLedger(q)).then((l) => l.filter((e) => e.kind === 'charge')), 60_000);
  const s = summary.data;
  const st = standing.data;
  return (
    <section aria-labelledby="billing-title">
      <h1 id="billing-title">{t('billing.title')}</h1>
      <ErrorNotice error={summary.error ?? standing.error ?? quotas.error} onRetry={summary.reload} />
      {st && st.state === 'suspended' && (
        <p className="notice error" role="alert" data-testid="suspended-notice">
          {t('billing.suspended', { when: i18n.dateTime(st.deletionAt) })}
        </p>
      )}
      {st && st.state === 'closed' && (
        <p className="notice error" role="alert">
          {t('billing.closed')}
        </p>
      )}
      <div className="grid">
        <section className="card" aria-labelledby="credit-title">
          <h2 id="credit-title">{t('billing.credit')}</h2>
          <p className="big" data-testid="balance">
            {s ? euro(s.balance) : '…'}
          </p>
          {s && <p className="small">{s.creditRunsOutAt ? t('billing.runsOut', { when: i18n.dateTime(s.creditRunsOutAt) }) : t('billing.never')}</p>}
          {s && s.vat.rate !== '0.00' && (
            <p className="small muted" data-testid="vat-note">
              {t('billing.vatNote', { rate: s.vat.rate, accrued: euro(s.vat.accrued) })}
            </p>
          )}
        </section>
        <section className="card" aria-labelledby="topup-title">
          <h2 id="topup-title">{t('billing.topUp')}</h2>
          <p>{t('billing.topUpHow')}</p>
          {st && (
            <p>
              {t('billing.reference')}: <strong className="mono" data-testid="payment-reference">{st.paymentReference}</strong> <CopyButton text={st.paymentReference} name={t('billing.copyReference')} />
            </p>
          )}
        </section>
      </div>
      {s && (
        <section className="card" aria-labelledby="monitor-title">
          <h2 id="monitor-title">{t('billing.monitor')}</h2>
          <dl className="facts">
            <dt>{t('billing.spent')}</dt>
            <dd data-testid="spent">{euro(s.spent)}</dd>
            <dt>{t('billing.forecast')}</dt>
            <dd data-testid="forecast">{euro(s.forecast)}</dd>
            <dt>{t('billing.burnRate')}</dt>
            <dd>{t('billing.perHour', { amount: euro(s.burnRatePerHour) })}</dd>
          </dl>
          <CostChart summary={s} charges={charges.data ?? []} />
          {s.resources.length > 0 && (
            <table className="list compact">
              <thead>
                <tr>
                  <th scope="col">{t('billing.resource')}</th>
                  <th scope="col">{t('billing.kind')}</th>
                  <th scope="col">{t('billing.plan')}</th>
                  <th scope="col">{t('billing.size')}</th>
                  <th scope="col">{t('billing.billedAs')}</th>
                  <th scope="col">{t('billing.spent')}</th>
                </tr>
              </thead>
              <tbody>
                {s.resources.map((r) => (
                  <tr key={r.resourceId}>
                    <th scope="row">{r.name}</th>
                    <td>{kindWord(r.resourceType)}</td>
                    <td>{r.resourceType === 'server' ? r.plan : kindWord(r.plan)}</td>
                    <td>{r.sizeGb === undefined ? t('app.none') : t('billing.sizeGb', { gb: i18n.number(r.sizeGb) })}</td>
                    <td>{r.billedAs ? t(BILLED_AS[r.billedAs]) : t('app.none')}</td>
                    <td>{euro(r.spent)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {quotas.data && (
        <section className="card" aria-labelledby="quotas-title" data-testid="quotas">
          <h2 id="quotas-title">{t('billing.quotas')}</h2>
          {QUOTA_LABELS.map(([key, label]) => (
            <UsageMeter
              key={key}
              label={t(label)}
              used={quotas.data!.used[key]}
              total={quotas.data!.limits[key]}
              words={t('billing.quotaWords', { used: i18n.number(quotas.data!.used[key]), limit: i18n.number(quotas.data!.limits[key]) })}
            />
          ))}
        </section>
      )}
      {notices.data && notices.data.items.length > 0 && (
        <section className="card" aria-labelledby="notices-title">
          <h2 id="notices-title">{t('billing.notices')}</h2>
          <ul className="plain" data-testid="notices">
            {notices.data.items.slice(0, 5).map((n) => (
              <li key={n.id}>
                <span className="small muted">{i18n.dateTime(n.createdAt)}</span> {n.message}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
