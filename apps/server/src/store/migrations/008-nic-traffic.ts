import type { Kysely } from 'kysely';

/**
 * Traffic per NIC: the last kernel reading of each NIC's counters (so a restart neither loses
 * nor counts twice what was read before), bytes per NIC and hour, public or private, plans'
 * traffic terms, and where each server stands against them this month.
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
  // A plan's network terms: a default NIC limit, the public traffic included per month, the
  // rate public NICs are throttled to past it (soft limit), and the hard limit.
  await db.schema
    .createTable('plan_traffic')
    .addColumn('plan_id', 'text', (c) => c.primaryKey().references('plans.id'))
    .addColumn('nic_mbit', 'integer')
    .addColumn('included_gb', 'integer')
    .addColumn('throttle_mbit', 'integer')
    .addColumn('hard_limit_gb', 'integer')
    .execute();
  // Where each server stands against its plan's traffic terms this month, as the collector found.
  await db.schema
    .createTable('traffic_state')
    .addColumn('server_id', 'text', (c) => c.primaryKey())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('public_out_bytes', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('nic_traffic_server').on('nic_traffic').columns(['server_id', 'hour']).execute();
}
