/** A monitor's state as a coloured, translated badge (the text says it too) and its uptime as a percentage. */
import type { Monitor } from '@kumulus/api';
import { useI18n } from '../../i18n/i18n.tsx';

const CLASS: Record<Monitor['status']['state'], string> = { up: 'phase-running', down: 'phase-failed', pending: 'phase-pending', paused: 'phase-stopped' };

/** The state badge. */
export function MonitorStateBadge({ monitor }: { monitor: Monitor }) {
  const { t } = useI18n();
  const state = monitor.status.state;
  return (
    <span className={`badge ${CLASS[state]}`} data-state={state}>
      {t(`mon.state.${state}`)}
    </span>
  );
}

/** An uptime percentage, or a dash before the first check. */
export const uptime = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)} %`);

/** What a monitor checks, as its owner wrote it (or the address its server reference resolved to). */
export const targetOf = (m: Monitor) => m.settings.url ?? m.status.target ?? m.settings.host ?? m.settings.server ?? '';
