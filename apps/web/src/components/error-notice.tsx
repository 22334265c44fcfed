/**
 * Shows a failed request's message (the dashboard's own text for its code, else the API's
 * localized one). A refused request (4xx) says only what to change; "Something went wrong"
 * and the request id are for server errors, where the id is what the operator looks up.
 */
import { useI18n } from '../i18n/i18n.tsx';
import { requestErrorText } from '../i18n/labels.ts';
import { ApiError } from '../lib/api.ts';

/** An alert box for an error, with an optional retry button. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (!error) return null;
  const message = requestErrorText(i18n, error);
  const serverFault = !(error instanceof ApiError) || error.status >= 500;
  return (
    <div className="notice error" role="alert">
      <p>{serverFault && !(error instanceof TypeError) ? t('app.error', { message }) : message}</p>
      {serverFault && error instanceof ApiError && error.requestId && <p className="muted small">{t('app.errorRequest', { id: error.requestId })}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}
