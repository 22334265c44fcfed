/** Networks (vSwitches): the tenant's private networks, made here and deleted behind a confirmation. */
import type { Network, Page } from '@kumulus/api';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { Labels } from '../../components/labels.tsx';
import { usePagedList } from '../../components/paged-list.tsx';
import { ResourceList } from '../../components/resource-list.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, formErrors } from '../../lib/api.ts';
import { Link } from 'wouter';

function CreateNetworkForm({ onCreated }: { onCreated: (n: Network) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [cidr, setCidr] = useState('');
  const [gateway, setGateway] = useState('');
  const [ipv6, setIpv6] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const made = await api.createNetwork({ name: name.trim(), ipv4Cidr: cidr.trim(), ...(gateway.trim() ? { gateway: gateway.trim() } : {}), ...(ipv6.trim() ? { ipv6Cidr: ipv6.trim() } : {}) });
      setName('');
      setIpv6('');
      setCidr('');
      setGateway('');
      onCreated(made.network);
    } catch (err) {
      const { fields, rest } = formErrors(err, ['name', 'ipv4Cidr', 'gateway', 'ipv6Cidr']);
      setErrors(fields);
      setError(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={create} aria-busy={busy} aria-labelledby="create-net-title" noValidate>
      <h2 id="create-net-title">{t('net.create')}</h2>
      <Field label={t('net.name')} name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Field label={t('net.cidr')} name="ipv4Cidr" autoComplete="off" hint={t('net.cidrHint')} value={cidr} onChange={(e) => setCidr(e.target.value)} error={errors.ipv4Cidr} />
      <Field label={`${t('net.gateway')} ${t('app.optional')}`} name="gateway" autoComplete="off" hint={t('net.gatewayHint')} value={gateway} onChange={(e) => setGateway(e.target.value)} error={errors.gateway} />
      <Field label={`${t('net.ipv6')} ${t('app.optional')}`} name="ipv6Cidr" autoComplete="off" hint={t('net.ipv6Hint')} value={ipv6} onChange={(e) => setIpv6(e.target.value)} error={errors.ipv6Cidr} />
      <ErrorNotice error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {t('net.create')}
        </button>
      </div>
    </form>
  );
}

/** The networks page. */
export function NetworksPage() {
  const { t, dateTime } = useI18n();
  const nets = usePagedList(['networks', 'list'], (q, signal) => api.request<Page<Network>>('GET', '/networks', undefined, q, { signal }), {
    intervalMs: (d) => (d?.some((n) => n.status.phase !== 'Ready') ? 1500 : 10_000),
    initialSort: { key: 'name', dir: 'asc' },
    labels: true,
  });
  const [created, setCreated] = useState<Network | null>(null);
  const [error, setError] = useState<unknown>();

  return (
    <section aria-labelledby="networks-title">
      <h1 id="networks-title">{t('net.title')}</h1>
      <p className="muted">{t('net.intro')}</p>
      {created && (
        <p className="notice success" role="status">
          {t('net.created', { name: created.name })}
        </p>
      )}
      <CreateNetworkForm
        onCreated={(n) => {
          setCreated(n);
          nets.reload();
        }}
      />
      <ErrorNotice error={error ?? nets.error} />
      <ResourceList
        label={t('net.title')}
        items={nets.data}
        loading={nets.loading}
        empty={t('net.empty')}
        rowKey={(n) => n.id}
        rowProps={(n) => ({ 'data-network-id': n.id })}
        filterText={(n) => `${n.name} ${n.ipv4Cidr} ${n.status.phase}`}
        columns={[
          { key: 'name', header: t('net.name'), rowHeader: true, cell: (n) => <Link href={`/networks/${n.id}`}>{n.name}</Link>, apiSort: 'name' },
          { key: 'cidr', header: t('net.cidr'), className: 'mono', cell: (n) => (
              <>
                {n.ipv4Cidr}
                {n.ipv6Cidr && <div>{n.ipv6Cidr}</div>}
              </>
            ), sortValue: (n) => n.ipv4Cidr },
          { key: 'gateway', header: t('net.gateway'), className: 'mono', cell: (n) => n.gateway ?? t('app.none') },
          { key: 'phase', header: t('net.phase'), cell: (n) => n.status.phase },
          { key: 'labels', header: t('list.labels'), cell: (n) => <Labels labels={n.labels} name={n.name} save={async (labels) => { await api.updateNetwork(n.id, { labels }); nets.reload(); }} /> },
          { key: 'created', header: t('list.created'), cell: (n) => <time dateTime={n.createdAt}>{dateTime(n.createdAt)}</time>, apiSort: 'created' },
        ]}
        remove={{
          label: t('net.delete'),
          name: (n) => n.name,
          title: (n) => t('net.deleteTitle', { name: n.name }),
          warning: (n) => t('net.deleteConfirm', { name: n.name }),
          confirmLabel: t('net.deleteButton'),
          run: (n) => api.deleteNetwork(n.id),
        }}
        onRemoved={nets.reload}
        onError={setError}
        paging={nets.paging}
      />
    </section>
  );
}
