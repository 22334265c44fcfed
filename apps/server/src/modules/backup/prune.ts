/**
 * Retention exactly as Proxmox Backup Server prunes: the backups sorted newest first, each
 * option in the order last, hourly, daily, weekly (ISO weeks), monthly, yearly keeps the newest
 * backup of each of its next N periods, skipping backups an earlier option already decided and
 * periods an earlier option already kept one of; a protected backup is never removed and never
 * counts. Everything no option keeps is removed.
 */

/** How many of each period to keep; absent or 0 keeps none by that option. */
export interface Retention {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

/** One backup as pruning sees it. */
export interface PruneItem {
  id: string;
  /** When it was taken (ms since the epoch). */
  time: number;
  protected: boolean;
}

/** What pruning decided for one backup, and by which option it was kept. */
export type PruneMark = 'keep' | 'protected' | 'remove';

/** One decision of the simulator. */
export interface PruneDecision {
  id: string;
  time: number;
  mark: PruneMark;
  /** The option that kept it (`keepDaily` …), absent for removed and protected ones. */
  reason?: keyof Retention;
}

/** Whether the policy keeps anything at all (PBS keeps everything when nothing is set; we refuse such a policy instead). */
export function keepsSomething(r: Retention): boolean {
  return [r.keepLast, r.keepHourly, r.keepDaily, r.keepWeekly, r.keepMonthly, r.keepYearly].some((n) => (n ?? 0) > 0);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The calendar parts of a time in a time zone. */
function partsOf(time: number, timeZone: string) {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(time)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour) };
}

/** ISO-8601 week-numbering year and week of a calendar date (weeks start on Monday). */
export function isoWeek(y: number, m: number, d: number): { year: number; week: number } {
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7; // Monday 1 … Sunday 7
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return { year, week };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The period keys of each option, as PBS formats them (%Y/%m/%d/%H, %G/%V …). */
const PERIODS: [keyof Retention, (t: number, tz: string) => string][] = [
  ['keepLast', (t) => String(t)],
  ['keepHourly', (t, tz) => ((p) => `${p.y}/${pad(p.m)}/${pad(p.d)}/${pad(p.h)}`)(partsOf(t, tz))],
  ['keepDaily', (t, tz) => ((p) => `${p.y}/${pad(p.m)}/${pad(p.d)}`)(partsOf(t, tz))],
  ['keepWeekly', (t, tz) => ((p) => ((w) => `${w.year}/${pad(w.week)}`)(isoWeek(p.y, p.m, p.d)))(partsOf(t, tz))],
  ['keepMonthly', (t, tz) => ((p) => `${p.y}/${pad(p.m)}`)(partsOf(t, tz))],
  ['keepYearly', (t, tz) => String(partsOf(t, tz).y)],
];

/** Decides for every backup whether the policy keeps it; answered newest first. */
export function prune(items: PruneItem[], r: Retention, timeZone = 'UTC'): PruneDecision[] {
  const list = [...items].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1));
  const marks = new Map<string, { mark: PruneMark; reason?: keyof Retention }>();
  for (const [option, periodOf] of PERIODS) {
    const keep = r[option];
    if (keep === undefined) continue;
    // Periods a backup kept by an earlier option lies in are covered already.
    const covered = new Set(list.filter((i) => marks.get(i.id)?.mark === 'keep').map((i) => periodOf(i.time, timeZone)));
    const kept = new Set<string>();
    for (const item of list) {
      if (marks.has(item.id)) continue;
      if (item.protected) {
        marks.set(item.id, { mark: 'protected' });
        continue;
      }
      const period = periodOf(item.time, timeZone);
      if (covered.has(period)) continue;
      if (!kept.has(period)) {
        if (kept.size >= keep) break;
        kept.add(period);
        marks.set(item.id, { mark: 'keep', reason: option });
      } else {
        marks.set(item.id, { mark: 'remove' });
      }
    }
  }
  return list.map((i): PruneDecision => {
    const m = marks.get(i.id);
    if (i.protected) return { id: i.id, time: i.time, mark: 'protected' };
    if (m?.mark === 'keep' && m.reason) return { id: i.id, time: i.time, mark: 'keep', reason: m.reason };
    return { id: i.id, time: i.time, mark: 'remove' };
  });
}
