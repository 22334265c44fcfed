/** Shows a failed request's message (already localized by the API) and its request id. */
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError, errorMessage } from '../lib/api.ts';

/** An alert box for an error, with an optional retry button. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div className="notice error" role="alert">
      <p>{t('app.error', { message: errorMessage(error) })}</p>
      {error instanceof ApiError && error.requestId && (
        <p className="muted small">{t('app.errorRequest', { id: error.requestId })}</p>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}
