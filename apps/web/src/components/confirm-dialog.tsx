/**
 * The one confirmation of the dashboard: a native modal <dialog> (focus trapped, Escape
 * cancels) with a title, what happens, and a danger button. The server delete adds a typed
 * name to it (confirm-delete-dialog.tsx); nothing uses the browser's confirm().
 */
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** Props of a confirmation: `canConfirm` false keeps the danger button disabled. */
export interface ConfirmDialogProps {
  title: string;
  warning: string;
  confirmLabel: string;
  busy?: boolean;
  canConfirm?: boolean;
  /** `primary` for a confirmation that destroys nothing (making a copy); `danger` by default. */
  tone?: 'danger' | 'primary';
  onConfirm: () => void;
  onClose: () => void;
  children?: (ids: { id: string }) => ReactNode;
}

/** Asks before something that cannot be undone; calls `onConfirm`, or `onClose` on cancel or Escape. */
export function ConfirmDialog({ title, warning, confirmLabel, busy = false, canConfirm = true, tone = 'danger', onConfirm, onClose, children }: ConfirmDialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-warning`} onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (canConfirm && !busy) onConfirm();
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-warning`} className="notice warn">
          {warning}
        </p>
        {children?.({ id })}
        <div className="row">
          <button type="button" onClick={() => ref.current?.close()}>
            {t('app.cancel')}
          </button>
          <button type="submit" className={tone} disabled={!canConfirm || busy}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
