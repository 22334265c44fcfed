/** A button that copies a text to the clipboard and says so. */
import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/**
 * Copies `text`; the label changes to "Copied" for a moment (announced via aria-live).
 * `name` gives the button an accessible name of its own ("Copy address") beside a short label.
 */
export function CopyButton({ text, label, name, className }: { text: string; label?: string; name?: string; className?: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setDone(true);
    setTimeout(() => setDone(false), 2000);
  };
  return (
    <button type="button" onClick={copy} aria-live="polite" className={className} aria-label={name && !done ? name : undefined}>
      {done ? t('app.copied') : (label ?? t('app.copy'))}
    </button>
  );
}
