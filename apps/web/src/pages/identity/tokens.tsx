/** API tokens: list (sorted, filtered), create (the secret is shown exactly once) and revoke behind a confirmation. */
import type { CreatedToken, CreateToken } from '@kumulus/api/schemas';
import { type FormEvent, useState } from 'react';
import { CopyButton } from '../../components/copy-button.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { ResourceList } from '../../components/resource-list.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { useAction } from '../../lib/use-action.ts';
import { usePoll } from '../../lib/use-poll.ts';

function NewSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <div className="notice success" role="status">
      <h2>{t('tokens.secretTitle')}</h2>
      <p>{t('tokens.secretOnce')}</p>
      <p className="secret">
        <code data-testid="token-secret">{created.secret}</code>
      </p>
      <div className="row">
        <CopyButton text={created.secret} />
        <button type="button" onClick={onDone}>
          {t('app.close')}
        </button>
      </div>
    </div>
  );
}

/** The API tokens page. */
export function TokensPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const tokens = usePoll(['tokens'], () => api.all((q) => api.listTokens(q)), 0);
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  // A revoke's refusal, from the list.
  const [listError, setListError] = useState<unknown>();
  const { busy, error, errors, run } = useAction(['name', 'expiresInDays']);

  const create = (e: FormEvent) => {
    e.preventDefault();
    const body: CreateToken = { name: name.trim() };
    if (days.trim()) body.expiresInDays = Number(days);
    void run(async () => {
      setCreated(await api.createToken(body));
      setName('');
      setDays('');
      tokens.reload();
    });
  };
  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t('tokens.title')}</h1>
      <p className="muted">{t('tokens.intro')}</p>
      {created && <NewSecret created={created} onDone={() => setCreated(null)} />}
      <form className="inline-form card" onSubmit={create} aria-busy={busy}>
        <Field label={t('tokens.name')} name="name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <Field
          label={t('tokens.expires')}
          name="expiresInDays"
          type="number"
          min={1}
          max={3650}
          inputMode="numeric"
          hint={t('tokens.expiresHint')}
          value={days}
          onChange={(e) => setDays(e.target.value)}
          error={errors.expiresInDays}
        />
        <button type="submit" className="primary" disabled={busy || !name.trim()}>
          {t('tokens.create')}
        </button>
      </form>
      <ErrorNotice error={error ?? listError ?? tokens.error} />
      <ResourceList
        label={t('tokens.title')}
        items={tokens.data}
        loading={tokens.loading}
        empty={t('tokens.empty')}
        rowKey={(tok) => tok.id}
        filterText={(tok) => `${tok.name} ${tok.prefix}`}
        columns={[
          { key: 'name', header: t('tokens.name'), rowHeader: true, cell: (tok) => tok.name, sortValue: (tok) => tok.name },
          { key: 'prefix', header: t('tokens.prefix'), className: 'mono', cell: (tok) => `${tok.prefix}…` },
          { key: 'created', header: t('tokens.created'), cell: (tok) => i18n.dateTime(tok.createdAt), sortValue: (tok) => tok.createdAt },
          { key: 'expires', header: t('tokens.expiresAt'), cell: (tok) => (tok.expiresAt ? i18n.dateTime(tok.expiresAt) : t('tokens.never')), sortValue: (tok) => tok.expiresAt ?? '9999' },
          { key: 'used', header: t('tokens.lastUsed'), cell: (tok) => (tok.lastUsedAt ? i18n.relative(tok.lastUsedAt) : t('tokens.never')), sortValue: (tok) => tok.lastUsedAt ?? '' },
        ]}
        remove={{
          label: t('tokens.revoke'),
          name: (tok) => tok.name,
          title: (tok) => t('tokens.revokeTitle', { name: tok.name }),
          warning: (tok) => t('tokens.revokeConfirm', { name: tok.name }),
          confirmLabel: t('tokens.revokeButton'),
          run: (tok) => api.revokeToken(tok.id),
        }}
        onRemoved={(tok) => {
          // A secret that no longer works must not stay on screen as "your new token".
          setCreated((c) => (c?.token.id === tok.id ? null : c));
          tokens.reload();
        }}
        onError={setListError}
      />
    </section>
  );
}
