import type { Kysely } from 'kysely';

/** vSwitches: tenant-private networks with a subnet, unique per tenant by name. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('networks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ipv4_cidr', 'text', (c) => c.notNull())
    .addColumn('gateway', 'text')
    .addColumn('dns_server', 'text', (c) => c.notNull())
    .addColumn('dns_domain', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('deletion_requested_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('networks_tenant_name', ['tenant_id', 'name'])
    .execute();
}
