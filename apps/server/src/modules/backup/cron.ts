/**
 * Cron lines of backup schedules, parsed and stepped by croner in the schedule's time zone. A
 * line that does not parse, names an unknown time zone, or can never fire (31 February) is
 * SCHEDULE_INVALID with the reason.
 */
import { Cron } from 'croner';
import { DomainError } from '../../lib/errors.ts';

function parse(cron: string, timeZone: string): Cron {
  if (cron.trim().split(/\s+/).length !== 5) throw new DomainError('SCHEDULE_INVALID', { cron, reason: { en: 'it needs exactly five fields', de: 'sie braucht genau fünf Felder' } }, [{ field: 'cron', message: { en: 'five fields', de: 'fünf Felder' } }]);
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new DomainError('SCHEDULE_INVALID', { cron, reason: { en: `the time zone ${timeZone} is unknown`, de: `die Zeitzone ${timeZone} ist unbekannt` } }, [{ field: 'timeZone', message: { en: 'unknown time zone', de: 'unbekannte Zeitzone' } }]);
  }
  try {
    return new Cron(cron, { timezone: timeZone, paused: true });
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    throw new DomainError('SCHEDULE_INVALID', { cron, reason: { en: text, de: text } }, [{ field: 'cron', message: { en: text, de: text } }]);
  }
}

/** The next `count` runs after `from`; throws SCHEDULE_INVALID when the line is wrong or never fires. */
export function nextRuns(cron: string, timeZone: string, count: number, from: Date = new Date()): Date[] {
  const runs = parse(cron, timeZone).nextRuns(count, from);
  if (runs.length === 0) throw new DomainError('SCHEDULE_INVALID', { cron, reason: { en: 'it never fires', de: 'sie trifft nie zu' } }, [{ field: 'cron', message: { en: 'never fires', de: 'trifft nie zu' } }]);
  return runs;
}
