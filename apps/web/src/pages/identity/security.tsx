/**
 * The security page: the account's authenticator app, security keys and recovery codes, its password, and for tenant admins the
 * rule that every user needs a second factor. A session that must enrol first lands here and can go nowhere else.
 */
import { securityApi } from '@kumulus/api/security-client';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { PasswordField } from '../../components/password-field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { useAction } from '../../lib/use-action.ts';
import { useSession } from '../../lib/session.tsx';
import { usePoll } from '../../lib/use-poll.ts';
import { SecurityKeys } from './security-keys.tsx';
import { RecoveryCodeList, TotpEnrol } from './totp-enrol.tsx';

const security = securityApi(api);

/** A form of one password-confirmed action. */
function PasswordAction({ label, danger, onSubmit }: { label: string; danger?: boolean; onSubmit: (password: string) => Promise<void> }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await onSubmit(password);
      setPassword('');
    });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-busy={busy} aria-label={label}>
      <Field label={t('security.currentPassword')} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit" className={danger ? 'danger' : undefined} disabled={busy}>
        {label}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}

function ChangePasswordForm() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    void run(async () => {
      await security.changePassword(current, next);
      setCurrent('');
      setNext('');
      setDone(true);
    });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={busy}>
      <h2>{t('security.passwordTitle')}</h2>
      <Field label={t('security.currentPassword')} type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
      <PasswordField label={t('security.newPassword')} value={next} onChange={setNext} />
      {done && (
        <p className="notice success" role="status">
          {t('security.passwordChanged')}
        </p>
      )}
      <ErrorNotice error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('security.passwordSubmit')}
      </button>
    </form>
  );
}

function TenantRule({ tenantId }: { tenantId: string }) {
  const { t } = useI18n();
  const rule = usePoll(['tenant-security', tenantId], () => security.tenantSecurity(tenantId), 0);
  const { busy, error, run } = useAction();
  const toggle = (on: boolean) =>
    void run(async () => {
      await security.setTenantSecurity(tenantId, { twoFactorRequired: on });
      rule.reload();
    });
  return (
    <div className="card">
      <h2>{t('security.tenantTitle')}</h2>
      <label className="check">
        <input type="checkbox" checked={!!rule.data?.twoFactorRequired} disabled={!rule.data || busy} onChange={(e) => toggle(e.target.checked)} />
        {t('security.tenantRequire')}
      </label>
      <ErrorNotice error={error ?? rule.error} />
    </div>
  );
}

/** The security page. */
export function SecurityPage() {
  const { t } = useI18n();
  const { me, refresh } = useSession();
  const status = usePoll(['2fa'], () => security.status(), 0);
  const [codes, setCodes] = useState<string[] | null>(null);
  const totp = status.data?.totp;
  const enabled = !!totp?.enabled;
  const changed = async (newCodes?: string[]) => {
    if (newCodes?.length) setCodes(newCodes);
    status.reload();
    await refresh();
  };

  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">{t('security.title')}</h1>
      {me?.twoFactor.mustEnrol && (
        <p className="notice warn" role="alert">
          {t(me.user.role === 'operator' ? 'security.mustEnrolOperator' : 'security.mustEnrolTenant')}
        </p>
      )}
      {codes && <RecoveryCodeList codes={codes} onDone={() => setCodes(null)} />}
      <div className="card">
        <h2>{t('security.appTitle')}</h2>
        <p data-testid="totp-state">{!enabled ? t('security.appOff') : totp?.locked ? t('security.appLocked') : t('security.appOn')}</p>
        {enabled && <p className="muted">{t('security.codesLeft', { count: status.data?.recoveryCodesLeft ?? 0 })}</p>}
        <ErrorNotice error={status.error} />
        {status.data && !enabled && <TotpEnrol onEnrolled={(c) => void changed(c)} />}
        {enabled && (
          <>
            <PasswordAction label={t('security.newCodes')} onSubmit={async (pw) => changed((await security.newRecoveryCodes(pw)).recoveryCodes)} />
            <PasswordAction label={t('security.remove')} danger onSubmit={async (pw) => {
                await security.removeTotp(pw);
                await changed();
              }} />
          </>
        )}
      </div>
      <SecurityKeys onChanged={(c) => void changed(c)} />
      <ChangePasswordForm />
      {me && me.user.role !== 'member' && <TenantRule tenantId={me.tenant.id} />}
    </section>
  );
}
