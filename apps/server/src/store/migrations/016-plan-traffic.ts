import type { Kysely } from 'kysely';

/**
 * Plans' network terms (a default NIC limit, the public traffic included per month, the rate
 * public NICs send at past it, a hard limit), and where each server stands against them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('plan_traffic')
    .addColumn('plan_id', 'text', (c) => c.primaryKey().references('plans.id'))
    .addColumn('nic_mbit', 'integer')
    .addColumn('included_gb', 'integer')
    .addColumn('throttle_mbit', 'integer')
    .addColumn('hard_limit_gb', 'integer')
    .execute();
  await db.schema
    .createTable('traffic_state')
    .addColumn('server_id', 'text', (c) => c.primaryKey())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('public_out_bytes', 'bigint', (c) => c.notNull())
    .execute();
}
