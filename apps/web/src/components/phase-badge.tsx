/** A server's phase as a coloured, translated badge (colour is never the only cue: the text says it). */
import type { Phase } from '@kumulus/api/schemas';
import { useI18n } from '../i18n/i18n.tsx';

const busy = new Set<Phase>(['Pending', 'Provisioning', 'Deleting']);

/** Shows one phase; busy phases get a spinner so "still working" is visible at a glance. */
export function PhaseBadge({ phase }: { phase: Phase }) {
  const { t } = useI18n();
  return (
    <span className={`badge phase-${phase.toLowerCase()}`} data-phase={phase}>
      {busy.has(phase) && <span className="spinner" aria-hidden="true" />}
      {t(`phase.${phase}`)}
    </span>
  );
}

/** Whether a phase is one the control plane is still converging from. */
export const isBusyPhase = (p: Phase) => busy.has(p);
