/**
 * The sign-in page, a sequence of steps: e-mail and password, then, for an account with a second factor, the
 * code of its authenticator app (or one of its recovery codes). SSO providers render as buttons above the form
 * once the API lists them.
 */
import type { SecondFactorChallenge } from '@kumulus/api';
import { type PublicKeyCredentialRequestOptionsJSON, startAuthentication } from '@simplewebauthn/browser';
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
  const [challenge, setChallenge] = useState<SecondFactorChallenge['secondFactor'] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const next = await signIn(email.trim(), password);
      if (next) {
        setChallenge(next);
        setBusy(false);
      }
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
        {reason && !challenge && (
          <p className="notice info" role="status">
            {t(reason === 'expired' ? 'signIn.expired' : 'signIn.signedOut')}
          </p>
        )}
        {challenge ? (
          <SecondFactorStep step={challenge} onRestart={() => setChallenge(null)} />
        ) : (
          <>
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
              <Field label={t('signIn.email')} type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
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
          </>
        )}
      </div>
    </main>
  );
}

/** The second step: a code of the authenticator app, or a recovery code instead. */
function SecondFactorStep({ step, onRestart }: { step: SecondFactorChallenge['secondFactor']; onRestart: () => void }) {
  const { t } = useI18n();
  const { signInSecondFactor } = useSession();
  const { challenge } = step;
  const hasApp = step.methods.includes('totp');
  const [recovery, setRecovery] = useState(!hasApp && !step.webauthn);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signInSecondFactor(recovery ? { challenge, recoveryCode: code.trim() } : { challenge, code: code.trim() });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const signInWithKey = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await startAuthentication({ optionsJSON: step.webauthn as unknown as PublicKeyCredentialRequestOptionsJSON });
      await signInSecondFactor({ challenge, webauthn: answer as unknown as Record<string, unknown> });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-busy={busy}>
      {step.webauthn && !recovery && (
        <button type="button" className="wide" disabled={busy} onClick={() => void signInWithKey()}>
          {t('signIn.useKey')}
        </button>
      )}
      <p>{recovery ? t('signIn.recoveryHint') : hasApp ? t('signIn.secondFactor') : t('signIn.keyHint')}</p>
      {recovery ? (
        <Field key="recovery" label={t('signIn.recoveryCode')} name="recovery-code" autoComplete="off" required value={code} onChange={(e) => setCode(e.target.value)} />
      ) : !hasApp ? null : (
        <Field
          key="code"
          label={t('signIn.code')}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]{6,7}"
          required
          autoFocus
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      )}
      <ErrorNotice error={error} />
      {(recovery || hasApp) && (
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.verify')}
        </button>
      )}
      <div className="row spread">
        <button
          type="button"
          className="link"
          onClick={() => {
            setRecovery(!recovery);
            setCode('');
            setError(undefined);
          }}
        >
          {recovery ? t(hasApp ? 'signIn.useApp' : 'signIn.useKeyInstead') : t('signIn.useRecovery')}
        </button>
        <button type="button" className="link" onClick={onRestart}>
          {t('signIn.restart')}
        </button>
      </div>
    </form>
  );
}
