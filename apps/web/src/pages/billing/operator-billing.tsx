/**
 * Operator view of billing: every tenant's credit and dunning state (suspensions with their
 * deletion date), a form to book a received bank transfer as a top-up, and the price list.
 */
import type { DunningState } from '@kumulus/api';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { ListBody } from '../../components/list-body.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, fieldErrors } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';
import { useEuro } from './billing.tsx';
import { PriceList } from './price-list.tsx';

const STATE: Record<DunningState, MessageKey> = { good: 'billing.stateGood', warned: 'billing.stateWarned', suspended: 'billing.stateSuspended', closed: 'billing.stateClosed' };

/** The operator's billing page. */
export function OperatorBillingPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const euro = useEuro();
  const standings = usePoll(['billing', 'standings'], () => api.listStandings(), 10_000);
  const [tenantId, setTenantId] = useState('');
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');

  const book = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setErrors({});
    setDone('');
    try {
      // The form takes the notation of the page's language; the API takes a decimal point.
      const entry = await api.bookLedger({ tenantId, kind: 'topup', amount: amount.trim().replace(',', '.'), currency: 'EUR', reference: reference.trim() });
      const name = standings.data?.items.find((s) => s.tenantId === tenantId)?.tenantName ?? tenantId;
      setDone(t('opBilling.booked', { amount: euro(entry.amount), tenant: name }));
      setAmount('');
      setReference('');
      standings.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
    }
  };

  return (
    <section aria-labelledby="op-billing-title">
      <h1 id="op-billing-title">{t('opBilling.title')}</h1>
      <form className="inline-form card" onSubmit={book} aria-labelledby="op-topup-title">
        <h2 id="op-topup-title">{t('opBilling.bookTopUp')}</h2>
        <div className="field">
          <label htmlFor="topup-tenant">{t('opBilling.tenant')}</label>
          <select id="topup-tenant" name="tenant" required value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
            <option value="">{t('opBilling.chooseTenant')}</option>
            {standings.data?.items.map((s) => (
              <option key={s.tenantId} value={s.tenantId}>
                {s.tenantName} ({s.paymentReference})
              </option>
            ))}
          </select>
        </div>
        <Field label={t('opBilling.amount')} name="amount" required inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={errors.amount} />
        <Field label={t('opBilling.reference')} name="reference" required value={reference} onChange={(e) => setReference(e.target.value)} error={errors.reference} />
        <button type="submit" className="primary" disabled={!tenantId || !amount.trim() || !reference.trim()}>
          {t('opBilling.book')}
        </button>
      </form>
      {done && (
        <p className="notice success" role="status">
          {done}
        </p>
      )}
      <ErrorNotice error={error ?? standings.error} />
      <ListBody items={standings.data?.items} loading={standings.loading}>
        {(items) => (
          <table className="list cards-on-phone" data-testid="standings">
            <thead>
              <tr>
                <th scope="col">{t('opBilling.tenant')}</th>
                <th scope="col">{t('billing.credit')}</th>
                <th scope="col">{t('opBilling.state')}</th>
                <th scope="col">{t('opBilling.deletion')}</th>
                <th scope="col">{t('billing.reference')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.tenantId} data-tenant={s.tenantName} data-state={s.state}>
                  <th scope="row" data-label={t('opBilling.tenant')}>
                    {s.tenantName}
                  </th>
                  <td data-label={t('billing.credit')}>{euro(s.balance)}</td>
                  <td data-label={t('opBilling.state')}>{t(STATE[s.state])}</td>
                  <td data-label={t('opBilling.deletion')}>{s.deletionAt ? i18n.dateTime(s.deletionAt) : t('app.none')}</td>
                  <td data-label={t('billing.reference')} className="mono small">
                    {s.paymentReference}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
      <PriceList />
    </section>
  );
}
