import type { Kysely } from 'kysely';

/**
 * Clusters registered through `/api/v1/clusters`: a name, the nodes discovered at the last check (JSON, with
 * each node's role and labels) and that check's result (JSON: reachable, token, privileges missing by name).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('proxmox_clusters').addColumn('name', 'text', (c) => c.notNull().defaultTo('default')).execute();
  await db.schema.alterTable('proxmox_clusters').addColumn('nodes', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('proxmox_clusters').addColumn('health', 'text', (c) => c.notNull().defaultTo('{}')).execute();
}
