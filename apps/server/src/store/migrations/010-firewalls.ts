import type { Kysely } from 'kysely';

/**
 * Server labels (what label selectors match), tenants' firewalls with the targets they are
 * applied to, and the operators' zones with their allowed flows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('servers').addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema
    .createTable('firewalls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    // JSON: { inbound: Rule[], outbound: Rule[] } and the apply-to targets, in the order applied.
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('applied_to', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('firewalls_tenant_name', ['tenant_id', 'name'])
    .execute();
  await db.schema
    .createTable('zones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) => c.notNull())
    // JSON: the networks (vSwitch ids, or `default`) in the zone, and the flows allowed to other zones.
    .addColumn('networks', 'text', (c) => c.notNull())
    .addColumn('flows', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
