/** API tokens: list, create (the secret is shown exactly once) and revoke behind a confirmation. */
import type { CreatedToken, CreateToken, Token } from '@kumulus/api/schemas';
import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { ListBody } from '../../components/list-body.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api, formErrors } from '../../lib/api.ts';
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
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState<{ token: Token; busy: boolean } | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body: CreateToken = { name: name.trim() };
    if (days.trim()) body.expiresInDays = Number(days);
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      setCreated(await api.createToken(body));
      setName('');
      setDays('');
      tokens.reload();
    } catch (err) {
      // A refusal about a field is said at the field only.
      const { fields, rest } = formErrors(err, ['name', 'expiresInDays']);
      setErrors(fields);
      setError(rest);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (token: Token) => {
    setRevoking({ token, busy: true });
    try {
      await api.revokeToken(token.id);
      // A secret that no longer works must not stay on screen as "your new token".
      setCreated((c) => (c?.token.id === token.id ? null : c));
      tokens.reload();
    } catch (err) {
      setError(err);
    } finally {
      setRevoking(null);
    }
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
      <ErrorNotice error={error ?? tokens.error} />
      <ListBody items={tokens.data} loading={tokens.loading} empty={t('tokens.empty')}>
        {(items) => (
          <table className="list cards-on-phone">
            <thead>
              <tr>
                <th scope="col">{t('tokens.name')}</th>
                <th scope="col">{t('tokens.prefix')}</th>
                <th scope="col">{t('tokens.created')}</th>
                <th scope="col">{t('tokens.expiresAt')}</th>
                <th scope="col">{t('tokens.lastUsed')}</th>
                <th scope="col">
                  <span className="sr-only">{t('detail.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((tok) => (
                <tr key={tok.id}>
                  <th scope="row" data-label={t('tokens.name')}>
                    {tok.name}
                  </th>
                  <td data-label={t('tokens.prefix')} className="mono">
                    {tok.prefix}…
                  </td>
                  <td data-label={t('tokens.created')}>{i18n.dateTime(tok.createdAt)}</td>
                  <td data-label={t('tokens.expiresAt')}>{tok.expiresAt ? i18n.dateTime(tok.expiresAt) : t('tokens.never')}</td>
                  <td data-label={t('tokens.lastUsed')}>{tok.lastUsedAt ? i18n.relative(tok.lastUsedAt) : t('tokens.never')}</td>
                  <td>
                    <button type="button" className="danger small" onClick={() => setRevoking({ token: tok, busy: false })} aria-label={`${t('tokens.revoke')}: ${tok.name}`}>
                      {t('tokens.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
      {revoking && (
        <ConfirmDialog
          title={t('tokens.revokeTitle', { name: revoking.token.name })}
          warning={t('tokens.revokeConfirm', { name: revoking.token.name })}
          confirmLabel={t('tokens.revokeButton')}
          busy={revoking.busy}
          onConfirm={() => void revoke(revoking.token)}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  );
}
