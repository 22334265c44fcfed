import type { Kysely } from 'kysely';

/**
 * A vSwitch's optional IPv6 /64, announced for SLAAC (null keeps the network IPv4 only); and
 * the addresses a server holds found by index, which a release and a NIC list look up.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('networks').addColumn('ipv6_cidr', 'text').execute();
  await db.schema.createIndex('ip_allocations_server').on('ip_allocations').column('server_id').execute();
}
