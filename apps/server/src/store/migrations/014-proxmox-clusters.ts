import type { Kysely } from 'kysely';

/** Registered Proxmox VE clusters: endpoint, token id, the token secret sealed with a key kept outside the store. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('proxmox_clusters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('token_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text')
    .addColumn('ca', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
