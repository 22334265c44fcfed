/** The form that makes an uptime monitor: its check, its target (an address or a server) and when to alert. */
import type { CreateMonitor, Monitor, MonitorType } from '@kumulus/api';
import { monitorApi } from '@kumulus/api/monitors-client';
import { type FormEvent, useId, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, formErrors } from '../../lib/api.ts';

const monitors = monitorApi(api);
const TYPES: MonitorType[] = ['http', 'tcp', 'ping', 'tls'];
const FIELDS = ['name', 'url', 'host', 'server', 'port', 'keyword', 'intervalSeconds', 'retries', 'emails'];

/** Creates a monitor and hands it to `onCreated`. */
export function CreateMonitorForm({ onCreated }: { onCreated: (m: Monitor) => void }) {
  const { t } = useI18n();
  const typeId = useId();
  const [type, setType] = useState<MonitorType>('http');
  const [v, setV] = useState({ name: '', url: '', host: '', server: '', port: '', keyword: '', interval: '60', retries: '0', emails: '' });
  const [ignoreTls, setIgnoreTls] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    const server = v.server.trim();
    const body: CreateMonitor = {
      name: v.name.trim(),
      type,
      ...(type === 'http' && !server ? { url: v.url.trim() } : {}),
      ...(type !== 'http' && !server ? { host: v.host.trim() } : {}),
      ...(server ? { server } : {}),
      ...((type === 'tcp' || type === 'tls' || (type === 'http' && server)) && v.port.trim() ? { port: Number(v.port) } : {}),
      ...(type === 'http' && v.keyword ? { keyword: v.keyword } : {}),
      ...((type === 'http' || type === 'tls') && ignoreTls ? { ignoreTlsErrors: true } : {}),
      intervalSeconds: Number(v.interval),
      retries: Number(v.retries),
      ...(v.emails.trim() ? { emails: v.emails.split(',').map((x) => x.trim()).filter(Boolean) } : {}),
    };
    try {
      const made = await monitors.create(body);
      setV({ ...v, name: '', url: '', host: '', server: '', port: '', keyword: '' });
      onCreated(made);
    } catch (err) {
      const { fields, rest } = formErrors(err, FIELDS);
      setErrors(fields);
      setError(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={create} aria-busy={busy} aria-labelledby="create-mon-title" noValidate>
      <h2 id="create-mon-title">{t('mon.create')}</h2>
      <Field label={t('mon.name')} name="name" autoComplete="off" value={v.name} onChange={set('name')} error={errors.name} />
      <div className="field">
        <label htmlFor={typeId}>{t('mon.type')}</label>
        <select id={typeId} name="type" value={type} onChange={(e) => setType(e.target.value as MonitorType)}>
          {TYPES.map((ty) => (
            <option key={ty} value={ty}>
              {t(`mon.type.${ty}`)}
            </option>
          ))}
        </select>
      </div>
      {type === 'http' ? (
        <Field label={t('mon.url')} name="url" type="url" autoComplete="off" placeholder="https://example.org/health" value={v.url} onChange={set('url')} error={errors.url} />
      ) : (
        <Field label={t('mon.host')} name="host" autoComplete="off" value={v.host} onChange={set('host')} error={errors.host} />
      )}
      <Field label={`${t('mon.server')} ${t('app.optional')}`} name="server" autoComplete="off" hint={t('mon.serverHint')} value={v.server} onChange={set('server')} error={errors.server} />
      {type !== 'ping' && <Field label={`${t('mon.port')} ${type === 'tcp' ? '' : t('app.optional')}`} name="port" inputMode="numeric" value={v.port} onChange={set('port')} error={errors.port} />}
      {type === 'http' && <Field label={`${t('mon.keyword')} ${t('app.optional')}`} name="keyword" autoComplete="off" value={v.keyword} onChange={set('keyword')} error={errors.keyword} />}
      {(type === 'http' || type === 'tls') && (
        <label className="check">
          <input type="checkbox" name="ignoreTlsErrors" checked={ignoreTls} onChange={(e) => setIgnoreTls(e.target.checked)} />
          {t('mon.ignoreTls')}
        </label>
      )}
      <Field label={t('mon.interval')} name="intervalSeconds" inputMode="numeric" value={v.interval} onChange={set('interval')} error={errors.intervalSeconds} />
      <Field label={t('mon.retries')} name="retries" inputMode="numeric" value={v.retries} onChange={set('retries')} error={errors.retries} />
      <Field label={`${t('mon.emails')} ${t('app.optional')}`} name="emails" autoComplete="off" hint={t('mon.emailsHint')} value={v.emails} onChange={set('emails')} error={errors.emails} />
      <ErrorNotice error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {t('mon.create')}
        </button>
      </div>
    </form>
  );
}
