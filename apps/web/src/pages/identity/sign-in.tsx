/**
 * The sign-in page. Password today; the form is a sequence of steps so a second factor
 * (TOTP/WebAuthn) slots in after the password step, and SSO providers render as buttons
 * above it once the API lists them.
 */
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { LanguageSwitcher } from '../../components/language-switcher.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../lib/session.tsx';

/** An external identity provider (OIDC) to offer as a button. */
export interface SsoProvider {
  id: string;
  name: string;
  href: string;
}

/** The sign-in form; `ssoProviders` is empty until the API offers OIDC. */
export function SignInPage({ ssoProviders = [] }: { ssoProviders?: SsoProvider[] }) {
  const { t } = useI18n();
  const { signIn, reason } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <div className="row spread">
          <p className="brand">
            <span className="logo" aria-hidden="true" />
            {t('app.name')}
          </p>
          <LanguageSwitcher />
        </div>
        <h1>{t('signIn.title')}</h1>
        {reason && (
          <p className="notice info" role="status">
            {t(reason === 'expired' ? 'signIn.expired' : 'signIn.signedOut')}
          </p>
        )}
        {ssoProviders.length > 0 && (
          <section aria-label={t('signIn.sso')} className="sso">
            <p>{t('signIn.sso')}</p>
            {ssoProviders.map((p) => (
              <a key={p.id} className="button" href={p.href}>
                {p.name}
              </a>
            ))}
          </section>
        )}
        <form onSubmit={submit} aria-busy={busy}>
          <Field
            label={t('signIn.email')}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <Field
            label={t('signIn.password')}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <ErrorNotice error={error} />
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? t('signIn.busy') : t('signIn.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
