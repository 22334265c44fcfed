import type { Kysely } from 'kysely';

/**
 * Labels (JSON text, as on servers and networks) on SSH keys, IP pools, backups and snapshots,
 * so that `label_selector` works on their lists as on every other list of labelled resources.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ssh_keys', 'ip_pools', 'backups', 'snapshots']) {
    await db.schema.alterTable(table).addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  }
}
