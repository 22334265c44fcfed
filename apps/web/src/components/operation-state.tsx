/** An operation's state and progress, as a badge plus a native progress bar while it runs. */
import type { Operation } from '@kumulus/api/schemas';
import { useI18n } from '../i18n/i18n.tsx';
import { kindLabel, operationErrorText, stepLabel } from '../i18n/labels.ts';

/** Shows state, progress and current step of one operation. */
export function OperationState({ op }: { op: Operation }) {
  const i18n = useI18n();
  const { t } = i18n;
  const active = op.state === 'pending' || op.state === 'running';
  return (
    <span className="op-state">
      <span className={`badge op-${op.state}`}>
        {active && <span className="spinner" aria-hidden="true" />}
        {t(`ops.state.${op.state}`)}
      </span>
      {active && (
        <>
          <progress max={100} value={op.progress} aria-label={`${t('ops.progress')}: ${kindLabel(i18n, op.kind)}`}>
            {op.progress}%
          </progress>
          <span className="small muted">{stepLabel(i18n, op)}</span>
        </>
      )}
      {op.state === 'failed' && op.error && <span className="field-error">{operationErrorText(i18n, op.error)}</span>}
      {op.state === 'failed' && op.error?.detail && (
        // Only operators get the engine's own words; tenants read the plain message above.
        <details className="small op-detail">
          <summary>{t('ops.detail')}</summary>
          <pre>{op.error.detail}</pre>
        </details>
      )}
    </span>
  );
}

/** The header cells over OperationCells, kept beside them so the columns stay in step. */
export function OperationHeadCells() {
  const { t } = useI18n();
  return (
    <>
      <th scope="col">{t('ops.state')}</th>
      <th scope="col">{t('ops.created')}</th>
      <th scope="col">{t('ops.duration')}</th>
    </>
  );
}

/** The state, start and duration cells of an operation's table row. */
export function OperationCells({ op }: { op: Operation }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <>
      <td data-label={t('ops.state')} className="c-state">
        <OperationState op={op} />
      </td>
      <td data-label={t('ops.created')} className="c-created">
        <time dateTime={op.createdAt}>{i18n.dateTime(op.createdAt)}</time>
      </td>
      <td data-label={t('ops.duration')} className="c-duration">{op.startedAt ? i18n.duration(op.startedAt, op.finishedAt) : t('app.none')}</td>
    </>
  );
}
