import type { Kysely } from 'kysely';

/** SSH public keys saved per tenant, unique there by name and by fingerprint. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ssh_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('ssh_keys_tenant_name', ['tenant_id', 'name'])
    .addUniqueConstraint('ssh_keys_tenant_fingerprint', ['tenant_id', 'fingerprint'])
    .execute();
}
