/**
 * The typed confirmation before destroying a server: the shared confirmation dialog whose
 * delete button stays disabled until the exact name is typed.
 */
import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';

/** Asks to type `name`; calls `onConfirm` when done, `onClose` on cancel or Escape. */
export function ConfirmDeleteDialog({ name, busy, onConfirm, onClose }: { name: string; busy: boolean; onConfirm: () => void; onClose: () => void }) {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  return (
    <ConfirmDialog
      title={t('delete.title', { name })}
      warning={t('delete.warning')}
      confirmLabel={t('delete.confirm')}
      busy={busy}
      canConfirm={typed === name}
      onConfirm={onConfirm}
      onClose={onClose}
    >
      {({ id }) => (
        <>
          <label htmlFor={`${id}-name`}>{t('delete.typeName', { name })}</label>
          <input id={`${id}-name`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        </>
      )}
    </ConfirmDialog>
  );
}
