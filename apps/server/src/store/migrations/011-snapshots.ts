import type { Kysely } from 'kysely';

/**
 * Snapshots of servers' root disks and of volumes, reconciled like volumes (spec, generation,
 * status); unique by name per resource. Plans say how many snapshots one server may keep; a
 * protected volume cannot be deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('deletion_requested_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('snapshots_target_name', ['target_id', 'name'])
    .execute();
  await db.schema.createIndex('snapshots_tenant').on('snapshots').column('tenant_id').execute();
  // Protection refuses a volume's deletion until it is lifted (as Proxmox's protection flag).
  await db.schema.alterTable('volumes').addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('plans').addColumn('snapshot_limit', 'integer', (c) => c.notNull().defaultTo(3)).execute();
}
