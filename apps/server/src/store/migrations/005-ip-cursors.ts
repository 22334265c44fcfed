import type { Kysely } from 'kysely';

/**
 * Where never-used addresses begin in each network, so IPAM takes the next one with a few
 * indexed lookups; and released addresses by age, for the longest-released-first choice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ip_cursors')
    .addColumn('network', 'text', (c) => c.primaryKey())
    .addColumn('next_fresh', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ip_releases_age').on('ip_releases').columns(['network', 'released_at']).execute();
}
