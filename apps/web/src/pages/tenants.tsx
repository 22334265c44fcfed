/** Operator view of every tenant, with a form to add one together with its first admin. */
import type { CreateTenant } from '@kumulus/api/schemas';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Field } from '../components/field.tsx';
import { ListBody } from '../components/list-body.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { api, fieldErrors } from '../lib/api.ts';
import { usePoll } from '../lib/use-poll.ts';

/** The tenants page. */
export function TenantsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const tenants = usePoll(() => api.all((q) => api.listTenants(q)), 10_000);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body: CreateTenant = { name: name.trim() };
    if (email.trim()) body.admin = { email: email.trim(), password };
    setError(undefined);
    setErrors({});
    try {
      const tenant = await api.createTenant(body);
      setDone(t('tenants.createdOk', { name: tenant.name }));
      setName('');
      setEmail('');
      setPassword('');
      tenants.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
    }
  };

  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">{t('tenants.title')}</h1>
      <form className="inline-form card" onSubmit={create}>
        <Field label={t('tenants.name')} name="name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <Field label={t('tenants.adminEmail')} name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.admin} />
        <Field label={t('tenants.adminPassword')} name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" className="primary" disabled={!name.trim()}>
          {t('tenants.create')}
        </button>
      </form>
      {done && (
        <p className="notice success" role="status">
          {done}
        </p>
      )}
      <ErrorNotice error={error ?? tenants.error} />
      <ListBody items={tenants.data} loading={tenants.loading}>
        {(items) => (
          <table className="list cards-on-phone">
            <thead>
              <tr>
                <th scope="col">{t('tenants.name')}</th>
                <th scope="col">{t('tenants.id')}</th>
                <th scope="col">{t('tenants.created')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((ten) => (
                <tr key={ten.id}>
                  <th scope="row" data-label={t('tenants.name')}>
                    {ten.name}
                  </th>
                  <td data-label={t('tenants.id')} className="mono small">
                    {ten.id}
                  </td>
                  <td data-label={t('tenants.created')}>{i18n.dateTime(ten.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}
