/** IP pools (operators): the public ranges tenants allocate from, defined here and deleted behind a confirmation. */
import type { IpPool, Page } from '@kumulus/api';
import { publicIpApi } from '@kumulus/api/public-ips-client';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { Labels } from '../../components/labels.tsx';
import { usePagedList } from '../../components/paged-list.tsx';
import { ResourceList } from '../../components/resource-list.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, formErrors } from '../../lib/api.ts';

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
  const pools = usePagedList(['ip-pools'], (q, signal) => api.request<Page<IpPool>>('GET', '/ip-pools', undefined, q, { signal }), { intervalMs: 10_000, initialSort: { key: 'name', dir: 'asc' }, labels: true });
  const [created, setCreated] = useState<IpPool | null>(null);
  const [error, setError] = useState<unknown>();

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
      <ResourceList
        label={t('pool.title')}
        items={pools.data}
        loading={pools.loading}
        empty={t('pool.empty')}
        rowKey={(p) => p.id}
        rowProps={(p) => ({ 'data-pool-id': p.id })}
        filterText={(p) => `${p.name} ${p.range} ${p.uplink} ${p.mode}`}
        columns={[
          { key: 'name', header: t('pool.name'), rowHeader: true, cell: (p) => p.name, apiSort: 'name' },
          { key: 'range', header: t('pool.range'), className: 'mono', cell: (p) => p.range },
          { key: 'uplink', header: t('pool.uplink'), className: 'mono', cell: (p) => p.uplink },
          { key: 'mode', header: t('pool.mode'), cell: (p) => p.mode },
          { key: 'allocated', header: t('pool.allocated'), cell: (p) => `${i18n.number(p.allocated)} / ${i18n.number(p.size)}` },
          { key: 'labels', header: t('list.labels'), cell: (p) => <Labels labels={p.labels} name={p.name} save={async (labels) => { await ips.updatePool(p.id, { labels }); pools.reload(); }} /> },
          { key: 'created', header: t('list.created'), cell: (p) => i18n.dateTime(p.createdAt), apiSort: 'created' },
        ]}
        remove={{
          label: t('pool.delete'),
          name: (p) => p.name,
          title: (p) => t('pool.deleteTitle', { name: p.name }),
          warning: (p) => t('pool.deleteConfirm', { name: p.name, range: p.range }),
          confirmLabel: t('pool.deleteButton'),
          run: (p) => ips.deletePool(p.id),
        }}
        onRemoved={() => {
          setCreated(null);
          pools.reload();
        }}
        onError={setError}
        paging={pools.paging}
      />
    </section>
  );
}
