/**
 * Enrolling an authenticator app: the current password, then the key as a QR code (and as text, for apps that
 * cannot scan), then a first code; the recovery codes come back and are shown once.
 */
import { securityApi } from '@kumulus/api/security-client';
import type { TotpSetup } from '@kumulus/api';
import QRCode from 'qrcode';
import { type FormEvent, useEffect, useState } from 'react';
import { CopyButton } from '../../components/copy-button.tsx';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { useAction } from '../../lib/use-action.ts';

const security = securityApi(api);

/** The recovery codes, shown this once, with a copy button. */
export function RecoveryCodeList({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <div className="notice success" role="status">
      <h2>{t('security.codesTitle')}</h2>
      <p>{t('security.codesOnce')}</p>
      <ul className="mono" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="row">
        <CopyButton text={codes.join('\n')} />
        <button type="button" onClick={onDone}>
          {t('security.codesSaved')}
        </button>
      </div>
    </div>
  );
}

/** The enrolment steps; `onEnrolled` gets the recovery codes. */
export function TotpEnrol({ onEnrolled }: { onEnrolled: (codes: string[]) => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const action = useAction();
  const { busy, error } = action;

  useEffect(() => {
    if (setup) void QRCode.toDataURL(setup.uri, { margin: 2, width: 220 }).then(setQr);
  }, [setup]);

  const run = (e: FormEvent, step: () => Promise<void>) => {
    e.preventDefault();
    void action.run(step);
  };

  if (!setup) {
    return (
      <form className="card" aria-busy={busy} onSubmit={(e) => run(e, async () => setSetup(await security.startTotp(password)))}>
        <p>{t('security.enrolIntro')}</p>
        <Field label={t('security.currentPassword')} type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <ErrorNotice error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('security.enrolStart')}
        </button>
      </form>
    );
  }
  return (
    <form className="card" aria-busy={busy} onSubmit={(e) => run(e, async () => onEnrolled((await security.confirmTotp(code.trim())).recoveryCodes))}>
      <p>{t('security.scan')}</p>
      {qr && <img src={qr} width={220} height={220} alt={t('security.qrAlt')} data-testid="totp-qr" />}
      <p>
        {t('security.keyText')} <code data-testid="totp-secret">{setup.secret}</code> <CopyButton text={setup.secret} />
      </p>
      <Field label={t('security.firstCode')} name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
      <ErrorNotice error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('security.confirm')}
      </button>
    </form>
  );
}
