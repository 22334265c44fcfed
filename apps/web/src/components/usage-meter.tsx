/**
 * A labelled meter of used against total capacity, with its figures in words so it reads
 * without seeing the bar. `redAbove` is where allotting more becomes a problem: for memory
 * that is the total, for CPUs (which containers share) a multiple of it.
 */
import { type ReactNode, useId } from 'react';

/** One capacity bar with its figures and what they mean. */
export function UsageMeter({ label, used, total, redAbove = total, words, note }: { label: string; used: number; total: number; redAbove?: number; words: string; note?: ReactNode }) {
  const id = useId();
  const over = used > redAbove;
  return (
    <div className={`usage${over ? ' over' : ''}`}>
      <span id={id}>{label}</span>
      <meter aria-labelledby={id} aria-describedby={`${id}-words`} min={0} max={Math.max(redAbove, used)} low={total} high={redAbove} optimum={0} value={used} />
      <span className="small" id={`${id}-words`}>
        {words}
      </span>
      {note && <span className="small usage-note">{note}</span>}
    </div>
  );
}
