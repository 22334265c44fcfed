/** IP pools (operators): the public ranges tenants allocate from, defined here and deleted behind a confirmation. */
import type { IpPool } from '@kumulus/api';
import { publicIpApi } from '@kumulus/api/public-ips-client';
import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, formErrors } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const ips = publicIpApi(api);

function CreatePoolForm({ onCreated }: { onCreated: (p: IpPool) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [range, setRange] = useState('');
  const [uplink, setUplink] = useState('');
  const [cooldown, setCooldown] = useState('1800');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const pool = await ips.createPool({ name: name.trim(), range: range.trim(), uplink: uplink.trim(), cooldownSeconds: Number(cooldown) });
      setName('');
      setRange('');
      onCreated(pool);
    } catch (err) {
      const { fields, rest } = formErrors(err, ['name', 'range', 'uplink', 'cooldownSeconds']);
      setErrors(fields);
      setError(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={create} aria-busy={busy} aria-labelledby="create-pool-title" noValidate>
      <h2 id="create-pool-title">{t('pool.create')}</h2>
      <Field label={t('pool.name')} name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Field label={t('pool.range')} name="range" autoComplete="off" hint={t('pool.rangeHint')} value={range} onChange={(e) => setRange(e.target.value)} error={errors.range} />
      <Field label={t('pool.uplink')} name="uplink" autoComplete="off" hint={t('pool.uplinkHint')} value={uplink} onChange={(e) => setUplink(e.target.value)} error={errors.uplink} />
      <Field label={t('pool.cooldown')} name="cooldownSeconds" inputMode="numeric" value={cooldown} onChange={(e) => setCooldown(e.target.value)} error={errors.cooldownSeconds} />
      <ErrorNotice error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {t('pool.create')}
        </button>
      </div>
    </form>
  );
}

/** The operators' IP pools page. */
export function IpPoolsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const pools = usePoll(['ip-pools'], () => api.all((q) => ips.listPools(q)), 10_000);
  const [created, setCreated] = useState<IpPool | null>(null);
  const [error, setError] = useState<unknown>();
  const [deleting, setDeleting] = useState<{ pool: IpPool; busy: boolean } | null>(null);

  const remove = async (pool: IpPool) => {
    setDeleting({ pool, busy: true });
    setError(undefined);
    try {
      await ips.deletePool(pool.id);
      setCreated(null);
      pools.reload();
    } catch (err) {
      setError(err);
    } finally {
      setDeleting(null);
    }
  };

  return (
    <section aria-labelledby="pools-title">
      <h1 id="pools-title">{t('pool.title')}</h1>
      <p className="muted">{t('pool.intro')}</p>
      {created && (
        <p className="notice success" role="status">
          {t('pool.created', { name: created.name })}
        </p>
      )}
      <CreatePoolForm
        onCreated={(p) => {
          setCreated(p);
          pools.reload();
        }}
      />
      <ErrorNotice error={error ?? pools.error} />
      <ListBody items={pools.data} loading={pools.loading} empty={t('pool.empty')}>
        {(items) => (
          <table className="list cards-on-phone" aria-label={t('pool.title')}>
            <thead>
              <tr>
                <th scope="col">{t('pool.name')}</th>
                <th scope="col">{t('pool.range')}</th>
                <th scope="col">{t('pool.uplink')}</th>
                <th scope="col">{t('pool.mode')}</th>
                <th scope="col">{t('pool.allocated')}</th>
                <th scope="col">
                  <span className="sr-only">{t('detail.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} data-pool-id={p.id}>
                  <th scope="row" data-label={t('pool.name')}>
                    {p.name}
                  </th>
                  <td data-label={t('pool.range')} className="mono">
                    {p.range}
                  </td>
                  <td data-label={t('pool.uplink')} className="mono">
                    {p.uplink}
                  </td>
                  <td data-label={t('pool.mode')}>{p.mode}</td>
                  <td data-label={t('pool.allocated')}>
                    {i18n.number(p.allocated)} / {i18n.number(p.size)}
                  </td>
                  <td>
                    <button type="button" className="danger small" onClick={() => setDeleting({ pool: p, busy: false })} aria-label={`${t('pool.delete')}: ${p.name}`}>
                      {t('pool.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
      {deleting && (
        <ConfirmDialog
          title={t('pool.deleteTitle', { name: deleting.pool.name })}
          warning={t('pool.deleteConfirm', { name: deleting.pool.name, range: deleting.pool.range })}
          confirmLabel={t('pool.deleteButton')}
          busy={deleting.busy}
          onConfirm={() => void remove(deleting.pool)}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
