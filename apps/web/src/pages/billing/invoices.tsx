/** Invoices: the tenant's monthly invoices and credit notes, each to download as PDF or e-invoice XML, and the payment reference to quote. */
import { ErrorNotice } from '../../components/error-notice.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

type Invoice = Awaited<ReturnType<typeof api.listInvoices>>['items'][number];

/** The invoices page. */
export function InvoicesPage() {
  const { t, money, dateTime } = useI18n();
  const invoices = usePoll(['invoices'], () => api.all((q) => api.listInvoices(q)), 0);
  const profile = usePoll(['billing', 'profile'], () => api.billingProfile(), 0);
  const eur = (a: Invoice['net']) => money({ amount: a.cents, currency: a.currency });
  const file = (i: Invoice, format: 'pdf' | 'xml') => `/api/v1/billing/invoices/${encodeURIComponent(i.id)}/${format}`;

  return (
    <section aria-labelledby="invoices-title">
      <h1 id="invoices-title">{t('invoices.title')}</h1>
      <p className="muted">{t('invoices.intro')}</p>
      {profile.data && (
        <p>
          {t('invoices.reference')} <strong className="mono">{profile.data.paymentReference}</strong>
        </p>
      )}
      <ErrorNotice error={invoices.error ?? profile.error} />
      <ListBody items={invoices.data ? [...invoices.data].reverse() : undefined} loading={invoices.loading} empty={t('invoices.empty')}>
        {(items) => (
          <table className="list cards-on-phone" aria-label={t('invoices.title')}>
            <thead>
              <tr>
                <th scope="col">{t('invoices.number')}</th>
                <th scope="col">{t('invoices.period')}</th>
                <th scope="col">{t('invoices.net')}</th>
                <th scope="col">{t('invoices.vat')}</th>
                <th scope="col">{t('invoices.total')}</th>
                <th scope="col">{t('invoices.issued')}</th>
                <th scope="col">{t('invoices.download')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  <td data-label={t('invoices.number')}>
                    {i.number}
                    {i.kind === 'credit_note' && <span className="muted"> ({t('invoices.creditNote')})</span>}
                  </td>
                  <td data-label={t('invoices.period')}>{i.periodStart.slice(0, 7)}</td>
                  <td data-label={t('invoices.net')}>{eur(i.net)}</td>
                  <td data-label={t('invoices.vat')}>
                    {eur(i.tax)} ({i.vat.ratePercent} %)
                  </td>
                  <td data-label={t('invoices.total')}>{eur(i.gross)}</td>
                  <td data-label={t('invoices.issued')}>{dateTime(i.issuedAt)}</td>
                  <td data-label={t('invoices.download')}>
                    <span className="row">
                      <a href={file(i, 'pdf')} download aria-label={t('invoices.pdfOf', { number: i.number })}>
                        PDF
                      </a>
                      <a href={file(i, 'xml')} download aria-label={t('invoices.xmlOf', { number: i.number })}>
                        XML
                      </a>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}
