import type { Kysely } from 'kysely';

/** A vSwitch's optional IPv6 /64, announced for SLAAC; null keeps the network IPv4 only. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('networks').addColumn('ipv6_cidr', 'text').execute();
}
