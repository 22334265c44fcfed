/**
 * Public IPs: allocate one (IPv4 or IPv6), assign it to a server, take it off again, and
 * release it behind a confirmation (an address given back cannot be had again).
 */
import type { PublicIp, Page } from '@kumulus/api';
import { publicIpApi } from '@kumulus/api/public-ips-client';
import { type FormEvent, useId, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { Labels } from '../../components/labels.tsx';
import { usePagedList } from '../../components/paged-list.tsx';
import { ResourceList } from '../../components/resource-list.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, formErrors } from '../../lib/api.ts';
import { Link } from 'wouter';
import { usePoll } from '../../lib/use-poll.ts';

const ips = publicIpApi(api);

function AllocateForm({ onAllocated }: { onAllocated: (ip: PublicIp) => void }) {
  const { t } = useI18n();
  const familyId = useId();
  const [name, setName] = useState('');
  const [family, setFamily] = useState<'ipv4' | 'ipv6'>('ipv4');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const allocate = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const ip = await ips.allocate({ name: name.trim(), family });
      setName('');
      onAllocated(ip);
    } catch (err) {
      const { fields, rest } = formErrors(err, ['name']);
      setErrors(fields);
      setError(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={allocate} aria-busy={busy} aria-labelledby="allocate-title" noValidate>
      <h2 id="allocate-title">{t('pip.allocate')}</h2>
      <Field label={t('pip.name')} name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <div className="field">
        <label htmlFor={familyId}>{t('pip.family')}</label>
        <select id={familyId} value={family} onChange={(e) => setFamily(e.target.value as 'ipv4' | 'ipv6')}>
          <option value="ipv4">IPv4</option>
          <option value="ipv6">IPv6 (/64)</option>
        </select>
      </div>
      <ErrorNotice error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {t('pip.allocate')}
        </button>
      </div>
    </form>
  );
}

/** The server a public IP is assigned to, or a chooser to assign it. */
function Assignment({ ip, servers, onChanged, onError }: { ip: PublicIp; servers: { id: string; name: string }[]; onChanged: () => void; onError: (e: unknown) => void }) {
  const { t } = useI18n();
  const selectId = useId();
  const [server, setServer] = useState('');
  const act = async (fn: () => Promise<unknown>) => {
    onError(undefined);
    try {
      await fn();
      onChanged();
    } catch (err) {
      onError(err);
    }
  };
  if (ip.server) {
    const name = servers.find((s) => s.id === ip.server)?.name ?? ip.server;
    return (
      <span className="row">
        <Link href={`/servers/${ip.server}`}>{name}</Link>
        <button type="button" className="small" onClick={() => void act(() => ips.unassign(ip.id))} aria-label={`${t('pip.unassign')}: ${ip.name}`}>
          {t('pip.unassign')}
        </button>
      </span>
    );
  }
  return (
    <span className="row">
      <label htmlFor={selectId} className="sr-only">
        {t('pip.assignTo', { name: ip.name })}
      </label>
      <select id={selectId} value={server} onChange={(e) => setServer(e.target.value)}>
        <option value="">{t('pip.chooseServer')}</option>
        {servers.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      <button type="button" className="small" disabled={!server} onClick={() => void act(() => ips.assign(ip.id, server))} aria-label={`${t('pip.assign')}: ${ip.name}`}>
        {t('pip.assign')}
      </button>
    </span>
  );
}

/** The public IPs page. */
export function PublicIpsPage() {
  const { t } = useI18n();
  const list = usePagedList(['public-ips', 'list'], (q, signal) => api.request<Page<PublicIp>>('GET', '/public-ips', undefined, q, { signal }), { intervalMs: 10_000, initialSort: { key: 'name', dir: 'asc' }, labels: true });
  const servers = usePoll(['public-ips', 'servers'], async () => (await api.all((q) => api.listServers(q))).filter((s) => s.status.phase !== 'Deleting').map((s) => ({ id: s.id, name: s.name })), 10_000);
  const data = { data: { list: list.data, servers: servers.data }, loading: list.loading, error: list.error ?? servers.error, reload: () => { list.reload(); servers.reload(); } };
  const [allocated, setAllocated] = useState<PublicIp | null>(null);
  const [error, setError] = useState<unknown>();

  return (
    <section aria-labelledby="public-ips-title">
      <h1 id="public-ips-title">{t('pip.title')}</h1>
      <p className="muted">{t('pip.intro')}</p>
      {allocated && (
        <p className="notice success" role="status">
          {t('pip.allocated', { address: allocated.address })}
        </p>
      )}
      <AllocateForm
        onAllocated={(ip) => {
          setAllocated(ip);
          data.reload();
        }}
      />
      <ErrorNotice error={error ?? data.error} />
      <ResourceList
        label={t('pip.title')}
        items={data.data?.list}
        loading={data.loading}
        empty={t('pip.empty')}
        rowKey={(ip) => ip.id}
        rowProps={(ip) => ({ 'data-public-ip': ip.address })}
        filterText={(ip) => `${ip.name} ${ip.address} ${ip.reverseDns ?? ''}`}
        columns={[
          { key: 'name', header: t('pip.name'), rowHeader: true, cell: (ip) => ip.name, apiSort: 'name' },
          { key: 'address', header: t('pip.address'), className: 'mono', cell: (ip) => ip.address },
          { key: 'server', header: t('pip.server'), cell: (ip) => <Assignment ip={ip} servers={data.data?.servers ?? []} onChanged={data.reload} onError={setError} /> },
          { key: 'rdns', header: t('pip.rdns'), cell: (ip) => ip.reverseDns ?? t('app.none') },
          { key: 'labels', header: t('list.labels'), cell: (ip) => <Labels labels={ip.labels} name={ip.name} save={async (labels) => { await ips.update(ip.id, { labels }); data.reload(); }} /> },
        ]}
        remove={{
          label: t('pip.release'),
          name: (ip) => ip.address,
          title: (ip) => t('pip.releaseTitle', { address: ip.address }),
          warning: (ip) => t('pip.releaseConfirm', { address: ip.address }),
          confirmLabel: t('pip.releaseButton'),
          run: (ip) => ips.release(ip.id),
        }}
        onRemoved={() => {
          setAllocated(null);
          data.reload();
        }}
        onError={setError}
        paging={list.paging}
      />
    </section>
  );
}
