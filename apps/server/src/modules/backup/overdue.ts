/**
 * The operators' report of broken promises: every server whose schedule ran (or should have run)
 * and whose latest verified-good backup is older than that run. A run is given `graceMs` to make
 * and verify its backups before it counts; a server made, or a schedule set up, after the run
 * owes nothing for it.
 */
import type { OverdueBackup } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { matchesSelector, parseLabelSelector } from '../../lib/label-selector.ts';
import type { BackupSchedulesTable } from '../../store/schema-backups.ts';
import type { Database } from '../../store/schema.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { goodBackup } from './backup-record.ts';
import { nextRuns } from './cron.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The servers a schedule backs up now: its one server, or those of its tenant its selector matches. */
export async function serversOfSchedule(db: Kysely<Database>, row: BackupSchedulesTable): Promise<{ id: string; name: string; created_at: number }[]> {
  const rows = await db.selectFrom('servers').select(['id', 'name', 'labels', 'created_at']).where('tenant_id', '=', row.tenant_id).where('deletion_requested_at', 'is', null).execute();
  if (row.server_id) return rows.filter((r) => r.id === row.server_id);
  const wanted = parseLabelSelector(row.selector ?? '');
  return rows.filter((r) => matchesSelector(wanted, JSON.parse(r.labels)));
}

/**
 * The last run of a cron line at or before `t` (ms), or null when there was none in a year.
 * Looked for in widening windows, so a line firing every minute steps through an hour at most.
 */
export function lastRunAtOrBefore(cron: string, timeZone: string, t: number): number | null {
  for (const window of [HOUR, DAY, 7 * DAY, 32 * DAY, 367 * DAY]) {
    const first = nextRuns(cron, timeZone, 1, new Date(t - window))[0]?.getTime();
    if (first === undefined || first > t) continue;
    let run: number = first;
    for (;;) {
      const next: number | undefined = nextRuns(cron, timeZone, 1, new Date(run))[0]?.getTime();
      if (next === undefined || next > t) return run;
      run = next;
    }
  }
  return null;
}

/** Creates the overdue report. */
export function createOverdueReport(d: { db: Kysely<Database>; clock: Clock; graceMs: number }) {
  return {
    /** Operators: the overdue servers of every tenant (`tenant: 'all'`, the default) or of one. */
    async list(p: Principal, q: { tenant?: string }): Promise<{ items: OverdueBackup[] }> {
      requireRole(p, 'operator', { en: 'read the overdue backup report', de: 'den Bericht über überfällige Backups lesen' });
      let query = d.db.selectFrom('backup_schedules').selectAll().where('enabled', '=', 1);
      if (q.tenant && q.tenant !== 'all') query = query.where('tenant_id', '=', q.tenant);
      const items: OverdueBackup[] = [];
      for (const schedule of await query.orderBy('tenant_id').orderBy('name').execute()) {
        const promised = lastRunAtOrBefore(schedule.cron, schedule.time_zone, d.clock() - d.graceMs);
        if (promised === null || promised < (schedule.active_since ?? schedule.created_at)) continue;
        const servers = (await serversOfSchedule(d.db, schedule)).filter((s) => s.created_at <= promised);
        if (!servers.length) continue;
        // One read of their backups. By the control plane's clock, as the promise: when a backup was asked for (a run asks at its time).
        const lastGoodOf = new Map<string, number>();
        const rows = await d.db.selectFrom('backups').selectAll().where('server_id', 'in', servers.map((s) => s.id)).where('deletion_requested_at', 'is', null).execute();
        for (const r of rows.filter(goodBackup)) lastGoodOf.set(r.server_id, Math.max(lastGoodOf.get(r.server_id) ?? 0, Number(r.created_at)));
        for (const server of servers) {
          const lastGood = lastGoodOf.get(server.id) ?? null;
          if (lastGood !== null && lastGood >= promised) continue;
          items.push({ tenantId: schedule.tenant_id, server: { id: server.id, name: server.name }, schedule: { id: schedule.id, name: schedule.name }, promisedAt: iso(promised)!, lastGoodAt: iso(lastGood) });
        }
      }
      return { items };
    },
  };
}

/** The overdue report. */
export type OverdueReport = ReturnType<typeof createOverdueReport>;
