import type { Kysely } from 'kysely';

/**
 * When a backup schedule last started to promise backups: set when it is turned on again or given
 * a new cron line, so the overdue report does not count the runs of a time it was off; null means
 * since it was made.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('backup_schedules').addColumn('active_since', 'bigint').execute();
}
