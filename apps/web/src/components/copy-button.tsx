/** A button that copies a text to the clipboard and says so. */
import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** Copies `text`; the label changes to "Copied" for a moment (announced via aria-live). */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setDone(true);
    setTimeout(() => setDone(false), 2000);
  };
  return (
    <button type="button" onClick={copy} aria-live="polite">
      {done ? t('app.copied') : (label ?? t('app.copy'))}
    </button>
  );
}
