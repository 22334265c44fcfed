/**
 * Operator view of every tenant, with a form to add one together with its first admin, and
 * rename and delete in each row (a tenant with servers is refused by the API, which names them).
 */
import type { CreateTenant, Tenant } from '@kumulus/api/schemas';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, fieldErrors } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

/** The tenants page. */
export function TenantsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const tenants = usePoll(['tenants'], () => api.all((q) => api.listTenants(q)), 10_000);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);

  /** Runs one row action, reporting its outcome where the create form reports its own. */
  const rowAction = async (run: () => Promise<string>) => {
    setError(undefined);
    setDone('');
    try {
      setDone(await run());
      tenants.reload();
    } catch (err) {
      setError(err);
    }
  };
  const rename = (ten: Tenant, name: string) =>
    rowAction(async () => {
      const renamed = await api.renameTenant(ten.id, { name: name.trim() });
      setRenaming(null);
      return t('tenants.renamedOk', { name: renamed.name });
    });
  const remove = (ten: Tenant) =>
    rowAction(async () => {
      try {
        await api.deleteTenant(ten.id);
      } finally {
        setDeleting(null);
      }
      return t('tenants.deletedOk', { name: ten.name });
    });

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
                <th scope="col">{t('tenants.actions')}</th>
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
                  <td data-label={t('tenants.actions')}>
                    {renaming?.id === ten.id ? (
                      <form
                        className="toolbar wrap"
                        onSubmit={(e) => {
                          e.preventDefault();
                          void rename(ten, renaming.name);
                        }}
                      >
                        <label>
                          <span className="sr-only">{t('tenants.newName')}</span>
                          <input aria-label={t('tenants.newName')} value={renaming.name} onChange={(e) => setRenaming({ id: ten.id, name: e.target.value })} required />
                        </label>
                        <button type="submit" className="primary">
                          {t('app.save')}
                        </button>
                        <button type="button" onClick={() => setRenaming(null)}>
                          {t('app.cancel')}
                        </button>
                      </form>
                    ) : deleting === ten.id ? (
                      <fieldset className="toolbar wrap bare" aria-label={t('tenants.deleteLabel', { name: ten.name })}>
                        <span>{t('tenants.deleteConfirm', { name: ten.name })}</span>
                        <button type="button" className="danger" onClick={() => void remove(ten)}>
                          {t('tenants.delete')}
                        </button>
                        <button type="button" onClick={() => setDeleting(null)}>
                          {t('app.cancel')}
                        </button>
                      </fieldset>
                    ) : (
                      <div className="toolbar wrap">
                        <button type="button" aria-label={t('tenants.renameLabel', { name: ten.name })} onClick={() => setRenaming({ id: ten.id, name: ten.name })}>
                          {t('tenants.rename')}
                        </button>
                        <button type="button" aria-label={t('tenants.deleteLabel', { name: ten.name })} onClick={() => setDeleting(ten.id)}>
                          {t('tenants.delete')}
                        </button>
                      </div>
                    )}
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
