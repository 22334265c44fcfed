import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import type { Reconciler } from '../../reconcile/worker.ts';
import type { BackupSchedulesTable } from '../../store/schema-backups.ts';
import type { Database } from '../../store/schema.ts';
import type { Principal } from '../identity/principal.ts';
import { goodBackup, readBackupRow } from './backup-record.ts';
import type { Backups } from './backups.ts';
import { nextRuns } from './cron.ts';
import { serversOfSchedule } from './overdue.ts';
import { prune, type Retention } from './prune.ts';

/** How long a schedule waits at most between passes, so pruning follows soon after its backups end. */
const PASS_MS = 30_000;

/** The principal schedules act as: the tenant's, marked as the system in operations and audit. */
export const schedulePrincipal = (tenantId: string): Principal => ({ userId: 'system:backup-schedule', tenantId, role: 'admin', email: 'backups@kumulus.local', via: 'token', credentialId: 'backup-schedule' });

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  backups: () => Backups;
  log: (text: string) => void;
}

/**
 * The schedule reconciler: when the cron line (or "run now") makes the schedule due, it asks for
 * a backup of each of its servers; on every pass it prunes the schedule's verified backups of
 * each server by the retention policy (protected ones are never touched).
 */
export function createScheduleReconciler(d: Deps): Reconciler {
  const { db, clock } = d;

  async function pruneSchedule(row: BackupSchedulesTable): Promise<void> {
    const retention = JSON.parse(row.retention) as Retention;
    const rows = await db.selectFrom('backups').selectAll().where('schedule_id', '=', row.id).where('deletion_requested_at', 'is', null).execute();
    const byServer = new Map<string, typeof rows>();
    for (const r of rows) byServer.set(r.server_id, [...(byServer.get(r.server_id) ?? []), r]);
    for (const list of byServer.values()) {
      // Only verified-good backups count: one that failed verification never takes a good one's place.
      const items = list.filter(goodBackup).map((r) => ({ id: r.id, time: Date.parse(readBackupRow(r).status.takenAt!), protected: r.protected === 1 }));
      for (const decision of prune(items, retention, row.time_zone)) {
        if (decision.mark !== 'remove') continue;
        await d
          .backups()
          .delete(schedulePrincipal(row.tenant_id), decision.id, `prune:${row.id}:${decision.id}`)
          .catch((e: Error) => d.log(`kumulus: schedule ${row.name} could not prune ${decision.id}: ${e.message}`));
      }
    }
  }

  return async (id) => {
    const row = await db.selectFrom('backup_schedules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { againMs: null };
    const now = clock();
    if (row.enabled === 1) {
      const [due] = nextRuns(row.cron, row.time_zone, 1, new Date(row.last_run_at ?? row.created_at));
      if (row.run_requested_at !== null || (due && due.getTime() <= now)) {
        // Noted first: a pass killed after this misses one run rather than making each backup twice.
        await db.updateTable('backup_schedules').set({ last_run_at: now, run_requested_at: null }).where('id', '=', id).execute();
        for (const { id: server } of await serversOfSchedule(db, row)) {
          await d
            .backups()
            .create(schedulePrincipal(row.tenant_id), server, { mode: row.mode, target: row.target_id }, `schedule:${id}:${now}:${server}`, id)
            .catch((e: Error) => d.log(`kumulus: schedule ${row.name} could not back up ${server}: ${e.message}`));
        }
      }
    }
    await pruneSchedule(row);
    const [next] = nextRuns(row.cron, row.time_zone, 1, new Date(now));
    return { againMs: Math.max(1000, Math.min(PASS_MS, (next?.getTime() ?? now + PASS_MS) - now)) };
  };
}
