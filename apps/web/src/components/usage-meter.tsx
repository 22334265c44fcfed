/** A labelled meter of used against total capacity; over-commit (used > total) is shown in red. */
import { useId } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** One capacity bar with its figures in words, so it reads without seeing the bar. */
export function UsageMeter({ label, used, total, format }: { label: string; used: number; total: number; format: (n: number) => string }) {
  const { t } = useI18n();
  const id = useId();
  const over = used > total;
  return (
    <div className={`usage${over ? ' over' : ''}`}>
      <span id={id}>{label}</span>
      <meter aria-labelledby={id} min={0} max={Math.max(total, used)} low={total * 0.7} high={total * 0.9} optimum={0} value={used} />
      <span className="small">{t('hosts.usage', { used: format(used), total: format(total) })}</span>
    </div>
  );
}
