/**
 * The server page's card for the rest of a server's life: rename, shut down versus power off, delete and
 * rebuild protection, resize with a plan picker, rebuild behind a typed confirmation, and a root
 * password reset whose new password is shown once.
 */
import type { Image, Plan, Server } from '@kumulus/api/schemas';
import { useId, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { api, formErrors } from '../lib/api.ts';
import { usePoll } from '../lib/use-poll.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { CopyButton } from './copy-button.tsx';
import { ErrorNotice } from './error-notice.tsx';
import { Field } from './field.tsx';

/** The card; `onChanged` reloads the page's server after an action was accepted. */
export function ServerLife({ server, plans, onChanged }: { server: Server; plans: Plan[]; onChanged: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = useId();
  const images = usePoll(['images'], () => api.all((q) => api.listImages(q)), 0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const [plan, setPlan] = useState(server.spec.plan);
  const [image, setImage] = useState(server.spec.image);
  const [confirmRebuild, setConfirmRebuild] = useState(false);
  const [typed, setTyped] = useState('');
  const [password, setPassword] = useState<string | null>(null);
  const [name, setName] = useState(server.name);
  const [nameError, setNameError] = useState<string>();
  // A toggle shows its new state at once; the server's answer is what it reads after the reload.
  const [toggled, setToggled] = useState<Partial<Server['protection']>>({});
  const protection = { ...server.protection, ...toggled };
  const current = plans.find((p) => p.name === server.spec.plan);
  const running = server.status.phase === 'Running';
  const settled = running || server.status.phase === 'Stopped';

  const run = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    setNotice('');
    try {
      await what();
      setNotice(done);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const key = () => ({ idempotencyKey: crypto.randomUUID() });
  const rename = async () => {
    const next = name.trim();
    if (busy || next === server.name) return;
    setBusy(true);
    setError(undefined);
    setNotice('');
    setNameError(undefined);
    try {
      await api.updateServer(server.id, { name: next });
      setNotice(t('life.renamed', { name: next }));
      onChanged();
    } catch (err) {
      // A refusal of the name is said at the field only.
      const { fields, rest } = formErrors(err, ['name']);
      setNameError(fields.name);
      setError(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('life.title')}</h2>
      {error !== undefined && <ErrorNotice error={error} />}
      {notice && (
        <p role="status" className="small">
          {notice}
        </p>
      )}

      <h3>{t('life.rename')}</h3>
      <form
        className="toolbar wrap bare"
        onSubmit={(e) => {
          e.preventDefault();
          void rename();
        }}
      >
        <Field label={t('life.newName')} name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={nameError} hint={t('life.renameHint')} />
        <button type="submit" aria-disabled={busy || name.trim() === server.name}>
          {t('life.renameButton')}
        </button>
      </form>

      <h3>{t('life.power')}</h3>
      <p className="small">{t('life.powerHint')}</p>
      <div className="toolbar wrap bare">
        <button type="button" aria-disabled={!running || busy} onClick={() => running && !busy && void run(() => api.shutdownServer(server.id, 60, key()), t('detail.actionSent', { action: t('detail.shutdown') }))}>
          {t('detail.shutdown')}
        </button>
        <button type="button" className="danger" aria-disabled={!running || busy} onClick={() => running && !busy && void run(() => api.serverAction(server.id, 'poweroff', key()), t('detail.actionSent', { action: t('detail.poweroff') }))}>
          {t('detail.poweroff')}
        </button>
      </div>

      <h3>{t('life.protection')}</h3>
      <fieldset className="bare">
        <legend className="sr-only">{t('life.protection')}</legend>
        {(['delete', 'rebuild'] as const).map((flag) => (
          <label key={flag} className="check">
            <input
              type="checkbox"
              checked={protection[flag]}
              disabled={busy}
              onChange={(e) => {
                const on = e.target.checked;
                setToggled((x) => ({ ...x, [flag]: on }));
                void run(async () => {
                  try {
                    await api.changeServerProtection(server.id, { [flag]: on });
                  } catch (err) {
                    setToggled((x) => ({ ...x, [flag]: undefined }));
                    throw err;
                  }
                }, t('life.protectionSaved'));
              }}
            />{' '}
            {t(flag === 'delete' ? 'life.protectDelete' : 'life.protectRebuild')}
          </label>
        ))}
      </fieldset>

      <h3>{t('life.resize')}</h3>
      <div className="toolbar wrap bare">
        <label htmlFor={`${id}-plan`}>{t('life.newPlan')}</label>
        <select id={`${id}-plan`} value={plan} onChange={(e) => setPlan(e.target.value)}>
          {plans.map((p) => {
            const smaller = current !== undefined && p.diskGb < current.diskGb;
            return (
              <option key={p.id} value={p.name} disabled={smaller}>
                {t('life.planOption', { name: p.name, vcpus: p.vcpus, memory: i18n.megabytes(p.memoryMb), disk: i18n.megabytes(p.diskGb * 1024) })}
                {smaller ? ` — ${t('life.diskOnlyGrows')}` : ''}
              </option>
            );
          })}
        </select>
        <button type="button" aria-disabled={busy || !settled || plan === server.spec.plan} onClick={() => !busy && settled && plan !== server.spec.plan && void run(() => api.resizeServer(server.id, plan, key()), t('life.resizeSent', { plan }))}>
          {t('life.resizeButton')}
        </button>
      </div>

      <h3>{t('life.rebuild')}</h3>
      <div className="toolbar wrap bare">
        <label htmlFor={`${id}-image`}>{t('servers.image')}</label>
        <select id={`${id}-image`} value={image} onChange={(e) => setImage(e.target.value)}>
          {(images.data ?? [])
            .filter((i: Image) => i.kind === server.spec.kind)
            .map((i: Image) => (
              <option key={i.id} value={i.name}>
                {i.name}
              </option>
            ))}
        </select>
        <button type="button" className="danger" aria-disabled={busy || !settled || protection.rebuild} onClick={() => {
            if (busy || !settled || protection.rebuild) return;
            setTyped('');
            setConfirmRebuild(true);
          }}>
          {t('life.rebuildButton')}
        </button>
      </div>
      {protection.rebuild && <p className="small">{t('life.rebuildProtected')}</p>}

      <h3>{t('life.password')}</h3>
      <div className="toolbar wrap bare">
        <button
          type="button"
          aria-disabled={busy || !settled}
          onClick={() =>
            !busy &&
            settled &&
            void run(async () => {
              const r = await api.resetServerPassword(server.id, key());
              setPassword(r.rootPassword);
            }, t('life.passwordSent'))
          }
        >
          {t('life.passwordButton')}
        </button>
      </div>
      {password && (
        <div className="notice" data-testid="new-password">
          <p>{t('life.passwordOnce')}</p>
          <code className="mono">{password}</code> <CopyButton text={password} name={t('life.copyPassword')} />{' '}
          <button type="button" onClick={() => setPassword(null)}>
            {t('app.close')}
          </button>
        </div>
      )}

      {confirmRebuild && (
        <ConfirmDialog
          title={t('life.rebuildTitle', { name: server.name })}
          warning={t('life.rebuildWarning', { image })}
          confirmLabel={t('life.rebuildButton')}
          busy={busy}
          canConfirm={typed === server.name}
          onConfirm={() =>
            void run(async () => {
              await api.rebuildServer(server.id, image, key());
              setConfirmRebuild(false);
            }, t('life.rebuildSent', { image }))
          }
          onClose={() => setConfirmRebuild(false)}
        >
          {({ id: dialogId }) => (
            <>
              <label htmlFor={`${dialogId}-name`}>{t('delete.typeName', { name: server.name })}</label>
              <input id={`${dialogId}-name`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
            </>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
