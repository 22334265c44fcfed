/**
 * The typed confirmation before destroying a server: the delete button stays disabled until
 * the exact name is typed. A native <dialog> gives focus trapping and Escape for free.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** Asks to type `name`; calls `onConfirm` when done, `onClose` on cancel or Escape. */
export function ConfirmDeleteDialog({
  name,
  busy,
  onConfirm,
  onClose,
}: {
  name: string;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const id = useId();
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name) onConfirm();
        }}
      >
        <h2 id={`${id}-title`}>{t('delete.title', { name })}</h2>
        <p className="notice warn">{t('delete.warning')}</p>
        <label htmlFor={`${id}-name`}>{t('delete.typeName', { name })}</label>
        <input
          id={`${id}-name`}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          autoFocus
        />
        <div className="row">
          <button type="button" onClick={() => ref.current?.close()}>
            {t('app.cancel')}
          </button>
          <button type="submit" className="danger" disabled={typed !== name || busy}>
            {t('delete.confirm')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
