/** SSH keys: the tenant's saved public keys, added once and picked in the create-server wizard. */
import type { Page, SshKey } from '@kumulus/api/schemas';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { Labels } from '../../components/labels.tsx';
import { usePagedList } from '../../components/paged-list.tsx';
import { ResourceList } from '../../components/resource-list.tsx';
import { PublicKeyField } from '../../components/public-key-field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, errorMessage, fieldErrors, formErrors } from '../../lib/api.ts';

function AddKeyForm({ onAdded }: { onAdded: (key: SshKey) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!publicKey.trim()) return setErrors({ publicKey: t('create.required') });
    setBusy(true);
    setErrors({});
    setError(undefined);
    try {
      const key = await api.createSshKey({ publicKey, ...(name.trim() ? { name: name.trim() } : {}) });
      setName('');
      setPublicKey('');
      onAdded(key);
    } catch (err) {
      // A refusal about a field is said at the field only.
      const { fields, rest } = formErrors(err, ['publicKey', 'name']);
      setErrors(fields);
      setError(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={add} aria-busy={busy} aria-labelledby="add-key-title" noValidate>
      <h2 id="add-key-title">{t('sshKeys.add')}</h2>
      <PublicKeyField label={t('sshKeys.publicKey')} value={publicKey} onChange={setPublicKey} error={errors.publicKey} />
      <Field label={`${t('sshKeys.name')} ${t('app.optional')}`} name="name" autoComplete="off" hint={t('sshKeys.nameHint')} value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <ErrorNotice error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {t('sshKeys.add')}
        </button>
      </div>
    </form>
  );
}

/** The name cell: text, or a small form while the key is renamed. */
function KeyName({ sshKey, onRenamed }: { sshKey: SshKey; onRenamed: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(sshKey.name);
  const [error, setError] = useState<string>();
  if (!editing) {
    return (
      <span className="row">
        {sshKey.name}
        <button type="button" className="small" onClick={() => setEditing(true)} aria-label={`${t('sshKeys.rename')}: ${sshKey.name}`}>
          {t('sshKeys.rename')}
        </button>
      </span>
    );
  }
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.renameSshKey(sshKey.id, name);
      setEditing(false);
      setError(undefined);
      onRenamed();
    } catch (err) {
      setError(fieldErrors(err).name ?? errorMessage(err));
    }
  };
  return (
    <form className="row" onSubmit={save}>
      <Field label={t('sshKeys.newName')} name="rename" value={name} onChange={(e) => setName(e.target.value)} error={error} autoFocus />
      <button type="submit" className="small primary">
        {t('app.save')}
      </button>
      <button type="button" className="small" onClick={() => { setEditing(false); setName(sshKey.name); setError(undefined); }}>
        {t('app.cancel')}
      </button>
    </form>
  );
}

/** The SSH keys page. */
export function SshKeysPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const keys = usePagedList(['ssh-keys'], (q, signal) => api.request<Page<SshKey>>('GET', '/ssh-keys', undefined, q, { signal }), { intervalMs: 0, labels: true });
  const [added, setAdded] = useState<SshKey | null>(null);
  const [error, setError] = useState<unknown>();

  return (
    <section aria-labelledby="ssh-keys-title">
      <h1 id="ssh-keys-title">{t('sshKeys.title')}</h1>
      <p className="muted">{t('sshKeys.intro')}</p>
      {added && (
        <p className="notice success" role="status">
          {t('sshKeys.added', { name: added.name })}
        </p>
      )}
      <AddKeyForm
        onAdded={(key) => {
          setAdded(key);
          keys.reload();
        }}
      />
      <ErrorNotice error={error ?? keys.error} />
      <ResourceList
        label={t('sshKeys.title')}
        items={keys.data}
        loading={keys.loading}
        empty={t('sshKeys.empty')}
        rowKey={(key) => key.id}
        rowProps={(key) => ({ 'data-key-id': key.id })}
        filterText={(key) => `${key.name} ${key.fingerprint}`}
        columns={[
          { key: 'name', header: t('sshKeys.name'), rowHeader: true, cell: (key) => <KeyName sshKey={key} onRenamed={keys.reload} />, apiSort: 'name' },
          { key: 'fingerprint', header: t('sshKeys.fingerprint'), className: 'mono', cell: (key) => key.fingerprint },
          { key: 'labels', header: t('list.labels'), cell: (key) => <Labels labels={key.labels} name={key.name} save={async (labels) => { await api.updateSshKey(key.id, { labels }); keys.reload(); }} /> },
          { key: 'created', header: t('sshKeys.created'), cell: (key) => i18n.dateTime(key.createdAt), apiSort: 'created' },
        ]}
        remove={{
          label: t('sshKeys.delete'),
          name: (key) => key.name,
          title: (key) => t('sshKeys.deleteTitle', { name: key.name }),
          warning: (key) => t('sshKeys.deleteConfirm', { name: key.name }),
          confirmLabel: t('sshKeys.deleteButton'),
          run: (key) => api.deleteSshKey(key.id),
        }}
        onRemoved={keys.reload}
        onError={setError}
        paging={keys.paging}
      />
    </section>
  );
}
