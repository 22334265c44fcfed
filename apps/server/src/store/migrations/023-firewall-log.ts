import type { Kysely } from 'kysely';

/**
 * The firewall log: packets the host's nftables logged at a NIC (its default drops, anti-spoofing,
 * zone drops, and rules with `log`), written by the log collector and read by the NIC's tenant.
 * Ids sort by time, so the last 100 of a NIC are one index range.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('firewall_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('nic_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('firewall_id', 'text')
    .addColumn('rule_index', 'integer')
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('source_port', 'integer')
    .addColumn('destination_port', 'integer')
    .execute();
  await db.schema.createIndex('firewall_log_nic').on('firewall_log').columns(['nic_id', 'id']).execute();
}
