/**
 * Security keys and passkeys (WebAuthn): the list, adding one (current password, a name, then the browser asks
 * the key) and removing one. The first second factor of an account also brings its recovery codes.
 */
import { securityApi } from '@kumulus/api/security-client';
import { type PublicKeyCredentialCreationOptionsJSON, startRegistration } from '@simplewebauthn/browser';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { useAction } from '../../lib/use-action.ts';
import { usePoll } from '../../lib/use-poll.ts';

const security = securityApi(api);

/** The security-keys card; `onChanged` gets recovery codes when the first factor came with them. */
export function SecurityKeys({ onChanged }: { onChanged: (codes?: string[]) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const keys = usePoll(['security-keys'], () => security.listKeys(), 0);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const { options } = await security.startKeyRegistration(password);
      const response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
      const done = await security.finishKeyRegistration({ name: name.trim(), response: response as unknown as Record<string, unknown> });
      setName('');
      setPassword('');
      keys.reload();
      onChanged(done.recoveryCodes ?? undefined);
    });
  };
  const remove = (id: string) =>
    run(async () => {
      await security.removeKey(id, password);
      keys.reload();
      onChanged();
    });

  return (
    <div className="card">
      <h2>{t('security.keysTitle')}</h2>
      <p className="muted">{t('security.keysIntro')}</p>
      {keys.data && keys.data.length > 0 && (
        <ul data-testid="security-keys">
          {keys.data.map((k) => (
            <li key={k.id} className="row spread">
              <span>
                {k.name} <span className="muted small">{k.lastUsedAt ? t('security.keyUsed', { when: i18n.relative(k.lastUsedAt) }) : t('security.keyUnused')}</span>
              </span>
              <button type="button" className="danger small" disabled={busy || !password} onClick={() => void remove(k.id)} aria-label={`${t('security.keyRemove')}: ${k.name}`}>
                {t('security.keyRemove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={add} aria-busy={busy}>
        <Field label={t('security.keyName')} name="key-name" required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
        <Field label={t('security.currentPassword')} type="password" name="key-password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} hint={t('security.keyPasswordHint')} />
        <button type="submit" className="primary" disabled={busy}>
          {t('security.keyAdd')}
        </button>
      </form>
      <ErrorNotice error={error ?? keys.error} />
    </div>
  );
}
