/** Operator view of what tenants can order: plans with prices (and a form for a new one) and images. */
import type { CreatePlan } from '@kumulus/api/schemas';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { Loading } from '../../components/loading.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { imageStatusLabel } from '../../i18n/labels.ts';
import { api, fieldErrors } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

function CreatePlanForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const [v, setV] = useState({ name: '', description: '', vcpus: '1', memoryMb: '512', diskGb: '10', cents: '1', currency: 'EUR' });
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: CreatePlan = {
      name: v.name.trim(),
      description: v.description,
      vcpus: Number(v.vcpus),
      memoryMb: Number(v.memoryMb),
      diskGb: Number(v.diskGb),
      priceHourly: { amount: Number(v.cents), currency: v.currency.toUpperCase() },
    };
    setError(undefined);
    setErrors({});
    try {
      await api.createPlan(body);
      onCreated();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
    }
  };
  return (
    <form className="inline-form card" onSubmit={submit}>
      <Field label={t('catalog.name')} required value={v.name} onChange={set('name')} error={errors.name} />
      <Field label={t('catalog.description')} value={v.description} onChange={set('description')} error={errors.description} />
      <Field label={t('catalog.vcpus')} type="number" min={1} value={v.vcpus} onChange={set('vcpus')} error={errors.vcpus} />
      <Field label={t('catalog.memory')} type="number" min={16} value={v.memoryMb} onChange={set('memoryMb')} error={errors.memoryMb} />
      <Field label={t('catalog.disk')} type="number" min={1} value={v.diskGb} onChange={set('diskGb')} error={errors.diskGb} />
      <Field label={t('catalog.priceCents')} type="number" min={0} value={v.cents} onChange={set('cents')} error={errors.priceHourly} />
      <Field label={t('catalog.currency')} maxLength={3} value={v.currency} onChange={set('currency')} />
      <button type="submit" className="primary" disabled={!v.name.trim()}>
        {t('catalog.createPlan')}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}

/** The plans and images page. */
export function CatalogPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const data = usePoll(['catalog', 'operator'], async () => {
    const [plans, images] = await Promise.all([api.all((q) => api.listPlans(q)), api.all((q) => api.listImages(q))]);
    return { plans, images };
  }, 10_000);
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">{t('catalog.title')}</h1>
      <ErrorNotice error={data.error} onRetry={data.reload} />
      {!data.data ? (
        data.loading && <Loading />
      ) : (
        <>
          <h2>{t('catalog.plans')}</h2>
          <table className="list cards-on-phone">
            <thead>
              <tr>
                <th scope="col">{t('catalog.name')}</th>
                <th scope="col">{t('catalog.vcpus')}</th>
                <th scope="col">{t('catalog.memory')}</th>
                <th scope="col">{t('catalog.disk')}</th>
                <th scope="col">{t('catalog.priceHourly')}</th>
                <th scope="col">{t('catalog.priceMonthly')}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.plans.map((p) => (
                <tr key={p.id}>
                  <th scope="row" data-label={t('catalog.name')}>
                    {p.name}
                    {p.description && <span className="small muted block">{p.description}</span>}
                  </th>
                  <td data-label={t('catalog.vcpus')}>{i18n.number(p.vcpus)}</td>
                  <td data-label={t('catalog.memory')}>{i18n.megabytes(p.memoryMb)}</td>
                  <td data-label={t('catalog.disk')}>{i18n.megabytes(p.diskGb * 1024)}</td>
                  <td data-label={t('catalog.priceHourly')}>{i18n.money(p.priceHourly)}</td>
                  <td data-label={t('catalog.priceMonthly')}>{i18n.money(p.priceMonthly)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <CreatePlanForm onCreated={data.reload} />
          <h2>{t('catalog.images')}</h2>
          <table className="list cards-on-phone">
            <thead>
              <tr>
                <th scope="col">{t('catalog.name')}</th>
                <th scope="col">{t('catalog.os')}</th>
                <th scope="col">{t('catalog.kind')}</th>
                <th scope="col">{t('catalog.status')}</th>
                <th scope="col">{t('catalog.message')}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.images.map((img) => (
                <tr key={img.id}>
                  <th scope="row" data-label={t('catalog.name')}>
                    {img.name}
                  </th>
                  <td data-label={t('catalog.os')}>{img.os}</td>
                  <td data-label={t('catalog.kind')}>{t(`detail.kind.${img.kind}`)}</td>
                  <td data-label={t('catalog.status')}>
                    <span className={`badge img-${img.status}`} data-status={img.status}>
                      {imageStatusLabel(i18n, img.status)}
                    </span>
                  </td>
                  <td data-label={t('catalog.message')}>{img.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
