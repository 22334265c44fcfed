import type { Kysely } from 'kysely';

/**
 * Public IPs: pools an operator defines on an uplink of the host, the addresses tenants hold
 * from them (an ordinal into the pool's range, so IPv6 /64s are never materialised), and when
 * each released address was given back, for the pool's cool-down.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ip_pools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('range', 'text', (c) => c.notNull())
    .addColumn('uplink', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('cooldown_s', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('public_ips')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('pool_id', 'text', (c) => c.notNull().references('ip_pools.id'))
    .addColumn('ordinal', 'bigint', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text')
    .addColumn('reverse_dns', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('public_ips_tenant_name', ['tenant_id', 'name'])
    .addUniqueConstraint('public_ips_pool_ordinal', ['pool_id', 'ordinal'])
    .execute();
  await db.schema.createIndex('public_ips_server').on('public_ips').column('server_id').execute();
  await db.schema
    .createTable('public_ip_releases')
    .addColumn('pool_id', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'bigint', (c) => c.notNull())
    .addColumn('released_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('public_ip_releases_pk', ['pool_id', 'ordinal'])
    .execute();
}
