import type { Kysely } from 'kysely';

/**
 * Traffic per NIC: the last kernel reading of each NIC's counters (so a restart neither loses
 * nor counts twice what was read before), and bytes per NIC and hour, public or private.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('nic_counters')
    .addColumn('nic_id', 'text', (c) => c.primaryKey())
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('link', 'bigint', (c) => c.notNull())
    .addColumn('in_bytes', 'bigint', (c) => c.notNull())
    .addColumn('out_bytes', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('nic_traffic')
    .addColumn('nic_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('public', 'integer', (c) => c.notNull())
    .addColumn('in_bytes', 'bigint', (c) => c.notNull())
    .addColumn('out_bytes', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('nic_traffic_pk', ['nic_id', 'hour'])
    .execute();
  await db.schema.createIndex('nic_traffic_server').on('nic_traffic').columns(['server_id', 'hour']).execute();
}
