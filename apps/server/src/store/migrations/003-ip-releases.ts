import type { Kysely } from 'kysely';

/**
 * When each address was last given back, so IPAM prefers never-used addresses and hands a
 * released one out again only after a cool-down (neighbours may still cache the old holder).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ip_releases')
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('released_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ip_releases_pk', ['network', 'address'])
    .execute();
}
