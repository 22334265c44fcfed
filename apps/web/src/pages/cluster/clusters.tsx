/**
 * Proxmox VE clusters (operators): register one (the connection, the token and its privileges are checked
 * first; missing privileges are named), see its nodes and last check, check again, set what each node is for,
 * and remove the registration behind a confirmation.
 */
import type { Cluster, NodeRole } from '@kumulus/api';
import { clusterApi } from '@kumulus/api/clusters-client';
import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, formErrors } from '../../lib/api.ts';
import { usePoll } from '../../lib/use-poll.ts';

const clusters = clusterApi(api);
const ROLES: NodeRole[] = ['compute', 'storage', 'edge'];

function RegisterForm({ onRegistered }: { onRegistered: (c: Cluster) => void }) {
  const { t } = useI18n();
  const [v, setV] = useState({ name: '', url: '', tokenId: '', tokenSecret: '', fingerprint: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const made = await clusters.register({ name: v.name.trim(), url: v.url.trim(), tokenId: v.tokenId.trim(), tokenSecret: v.tokenSecret.trim(), ...(v.fingerprint.trim() ? { fingerprint: v.fingerprint.trim() } : {}) });
      setV({ name: '', url: '', tokenId: '', tokenSecret: '', fingerprint: '' });
      onRegistered(made);
    } catch (err) {
      setErrors(formErrors(err, []).fields);
      // The whole message too: it names the privileges missing and what to do.
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-busy={busy} aria-labelledby="register-cluster-title" noValidate>
      <h2 id="register-cluster-title">{t('clusters.register')}</h2>
      <Field label={t('clusters.name')} name="name" autoComplete="off" value={v.name} onChange={set('name')} error={errors.name} />
      <Field label={t('clusters.url')} name="url" autoComplete="off" placeholder="https://pve1.example:8006" value={v.url} onChange={set('url')} error={errors.url} />
      <Field label={t('clusters.tokenId')} name="tokenId" autoComplete="off" placeholder="kumulus@pve!kumulus" hint={t('clusters.tokenIdHint')} value={v.tokenId} onChange={set('tokenId')} error={errors.tokenId} />
      <Field label={t('clusters.tokenSecret')} name="tokenSecret" type="password" autoComplete="off" hint={t('clusters.tokenSecretHint')} value={v.tokenSecret} onChange={set('tokenSecret')} error={errors.tokenSecret} />
      <Field label={t('clusters.fingerprint')} name="fingerprint" autoComplete="off" hint={t('clusters.fingerprintHint')} value={v.fingerprint} onChange={set('fingerprint')} error={errors.fingerprint} />
      <ErrorNotice error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {t('clusters.registerButton')}
        </button>
      </div>
    </form>
  );
}

function ClusterCard({ cluster: c, onChanged, onError }: { cluster: Cluster; onChanged: () => void; onError: (e: unknown) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    onError(undefined);
    try {
      await fn();
      onChanged();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <article className="card stack" data-cluster={c.name} aria-labelledby={`cluster-${c.id}`} aria-busy={busy}>
      <h2 id={`cluster-${c.id}`}>
        {c.name} <span className="small muted mono">{c.url}</span>
      </h2>
      <p className="small">
        {t('clusters.token')}: <span className="mono">{c.tokenId}</span> · {c.active ? t('clusters.active') : t('clusters.nextStart')}
      </p>
      <div data-testid="cluster-health" data-ok={c.health.ok}>
        <p className={`notice ${c.health.ok ? 'success' : 'error'}`}>
          <strong>{c.health.ok ? t('clusters.healthy') : t('clusters.unhealthy', { n: c.health.problems.length })}</strong>{' '}
          {c.health.checkedAt && <span className="small muted">{t('hosts.checkedAt', { when: i18n.dateTime(c.health.checkedAt) })}</span>}
        </p>
        {c.health.problems.length > 0 && (
          <ul className="plain host-problems">
            {c.health.problems.map((p) => (
              <li key={p.check} data-check={p.check}>
                <strong className="mono">{p.subject}</strong>: {p.message}
                <br />
                <code className="small">{t('hosts.problemFix', { fix: p.fix })}</code>
              </li>
            ))}
          </ul>
        )}
      </div>
      <table>
        <caption>{t('clusters.nodes')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('clusters.node')}</th>
            <th scope="col">{t('clusters.online')}</th>
            <th scope="col">{t('clusters.cpus')}</th>
            <th scope="col">{t('clusters.memory')}</th>
            <th scope="col">{t('clusters.role')}</th>
          </tr>
        </thead>
        <tbody>
          {c.nodes.map((n) => (
            <tr key={n.name} data-node={n.name}>
              <th scope="row" className="mono">
                {n.name}
              </th>
              <td>{n.online ? t('clusters.yes') : t('clusters.no')}</td>
              <td>{i18n.number(n.cpus)}</td>
              <td>{i18n.number(Math.round(n.memoryMb / 1024))} GiB</td>
              <td>
                <select aria-label={t('clusters.roleOf', { node: n.name })} value={n.role} disabled={busy} onChange={(e) => run(() => clusters.updateNode(c.id, n.name, { role: e.target.value as NodeRole }))}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`clusters.role.${r}`)}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">{t('clusters.roleHint')}</p>
      <div className="row">
        <button type="button" disabled={busy} onClick={() => run(() => clusters.check(c.id))}>
          {t('clusters.check')}
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
          {t('clusters.delete')}
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={t('clusters.deleteTitle', { name: c.name })}
          warning={t('clusters.deleteWarning', { name: c.name })}
          confirmLabel={t('clusters.deleteButton')}
          busy={busy}
          onConfirm={() => run(() => clusters.delete(c.id)).finally(() => setConfirming(false))}
          onClose={() => setConfirming(false)}
        />
      )}
    </article>
  );
}

/** The operators' clusters page. */
export function ClustersPage() {
  const { t } = useI18n();
  const list = usePoll(['clusters'], () => clusters.list(), 15_000);
  const [registered, setRegistered] = useState<Cluster | null>(null);
  const [error, setError] = useState<unknown>();
  return (
    <section aria-labelledby="clusters-title">
      <h1 id="clusters-title">{t('clusters.title')}</h1>
      <p className="muted">{t('clusters.intro')}</p>
      {registered && (
        <p className="notice success" role="status">
          {registered.active ? t('clusters.registeredActive', { name: registered.name }) : t('clusters.registered', { name: registered.name })}
        </p>
      )}
      <ErrorNotice error={error ?? list.error} />
      {list.data?.map((c) => (
        <ClusterCard key={c.id} cluster={c} onChanged={list.reload} onError={setError} />
      ))}
      {list.data && list.data.length === 0 && (
        <RegisterForm
          onRegistered={(c) => {
            setRegistered(c);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
