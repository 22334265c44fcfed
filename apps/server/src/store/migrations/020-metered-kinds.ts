import type { Kysely } from 'kysely';

/**
 * Metering of every kind of resource, not only servers: one phase log for volumes, snapshots and
 * public IPs (servers keep theirs, migration 006), each entry with the price list's product and the
 * quantity billed (bytes for storage, 1 for an address); usage records carry that quantity too;
 * and an index on a tenant's open meters, which the cost monitor reads.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resource_phase_log')
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_phase_log_pk', ['resource_id', 'seq'])
    .execute();
  await db.schema.alterTable('usage_records').addColumn('quantity', 'bigint').execute();
  // The cost monitor and dunning read a tenant's open meters on every pass; without this index
  // each of their queries scanned every meter of every tenant.
  await db.schema.createIndex('meters_tenant_open').on('meters').columns(['tenant_id', 'closed']).execute();
}
