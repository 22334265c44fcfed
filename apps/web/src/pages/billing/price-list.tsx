/**
 * The operator's price list: every price by kind (server plans, volumes and snapshots per GB,
 * public IPv4/IPv6 per address) with its effective time, and a form to set one from now on.
 */
import type { CreatePrice, PriceKind } from '@kumulus/api';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, fieldErrors } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';
import { useKindWord } from './billing.tsx';

const KINDS: PriceKind[] = ['server', 'volume', 'snapshot', 'backup', 'public-ipv4', 'public-ipv6', 'traffic'];

/** The price list with its form (operators). */
export function PriceList() {
  const i18n = useI18n();
  const { t } = i18n;
  const kindWord = useKindWord();
  const prices = usePoll(['billing', 'prices'], () => api.listPrices(), 60_000);
  const [kind, setKind] = useState<PriceKind>('volume');
  const [plan, setPlan] = useState('');
  const [per, setPer] = useState<CreatePrice['per']>('month');
  const [running, setRunning] = useState('');
  const [stopped, setStopped] = useState('');
  const [cap, setCap] = useState('');
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const decimal = (v: string) => v.trim().replace(',', '.');

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setErrors({});
    setDone('');
    try {
      // Only servers have a plan and a stopped price; the API refuses them for the products.
      const p = await api.createPrice({ kind, per, running: decimal(running), currency: 'EUR', ...(cap.trim() ? { monthlyCap: decimal(cap) } : {}), ...(kind === 'server' ? { plan: plan.trim(), ...(stopped.trim() ? { stopped: decimal(stopped) } : {}) } : {}) });
      setDone(t('prices.saved', { what: p.plan ?? kindWord(p.kind), when: i18n.dateTime(p.effectiveFrom) }));
      setRunning('');
      setStopped('');
      setCap('');
      prices.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
    }
  };

  return (
    <section aria-labelledby="prices-title" className="card">
      <h2 id="prices-title">{t('prices.title')}</h2>
      <p className="small">{t('prices.intro')}</p>
      {prices.data && prices.data.items.length > 0 && (
        <table className="list compact" data-testid="prices">
          <thead>
            <tr>
              <th scope="col">{t('prices.kind')}</th>
              <th scope="col">{t('prices.plan')}</th>
              <th scope="col">{t('prices.per')}</th>
              <th scope="col">{t('prices.running')}</th>
              <th scope="col">{t('prices.stopped')}</th>
              <th scope="col">{t('prices.cap')}</th>
              <th scope="col">{t('prices.from')}</th>
            </tr>
          </thead>
          <tbody>
            {prices.data.items.map((p) => (
              <tr key={p.id} data-kind={p.kind}>
                <th scope="row">{kindWord(p.kind)}</th>
                <td>{p.plan ?? t('app.none')}</td>
                <td>{t(p.per === 'hour' ? 'prices.perHour' : 'prices.perMonth')}</td>
                <td className="mono">{p.running} EUR</td>
                <td className="mono">{p.kind === 'server' ? `${p.stopped} EUR` : t('app.none')}</td>
                <td className="mono">{p.monthlyCap === null ? t('app.none') : `${p.monthlyCap} EUR`}</td>
                <td>{i18n.dateTime(p.effectiveFrom)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="inline-form" onSubmit={save} aria-labelledby="price-set-title">
        <h3 id="price-set-title">{t('prices.setTitle')}</h3>
        <div className="field">
          <label htmlFor="price-kind">{t('prices.kind')}</label>
          <select id="price-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as PriceKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {kindWord(k)}
              </option>
            ))}
          </select>
        </div>
        {kind === 'server' && <Field label={t('prices.plan')} name="plan" required value={plan} onChange={(e) => setPlan(e.target.value)} error={errors.plan} />}
        <div className="field">
          <label htmlFor="price-per">{t('prices.per')}</label>
          <select id="price-per" name="per" value={per} onChange={(e) => setPer(e.target.value as CreatePrice['per'])}>
            <option value="month">{t('prices.perMonth')}</option>
            <option value="hour">{t('prices.perHour')}</option>
          </select>
        </div>
        <Field label={t('prices.running')} name="running" required inputMode="decimal" value={running} onChange={(e) => setRunning(e.target.value)} error={errors.running} />
        {kind === 'server' && <Field label={t('prices.stopped')} name="stopped" inputMode="decimal" value={stopped} onChange={(e) => setStopped(e.target.value)} error={errors.stopped} />}
        <Field label={t('prices.cap')} name="monthlyCap" inputMode="decimal" value={cap} onChange={(e) => setCap(e.target.value)} error={errors.monthlyCap} />
        <button type="submit" className="primary" disabled={!running.trim() || (kind === 'server' && !plan.trim())}>
          {t('prices.set')}
        </button>
      </form>
      {done && (
        <p className="notice success" role="status">
          {done}
        </p>
      )}
      <ErrorNotice error={error ?? prices.error} />
    </section>
  );
}
