/** The placeholder shown while a page's first data loads; announced politely to screen readers. */
import { useI18n } from '../i18n/i18n.tsx';

/** A "Loading…" line with a spinner. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {t('app.loading')}
    </p>
  );
}
