import type { Kysely } from 'kysely';

/**
 * Snapshots of servers' root disks and of volumes, reconciled like volumes (spec, generation,
 * status); unique by name per resource. Plans say how many snapshots one server may keep; a
 * protected volume cannot be deleted; a server's root disk has QoS limits (its plan's or its own).
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
  // Root-disk QoS: a plan's default (JSON, null for none) and a server's own setting, reconciled
  // under the id dsk_<server id's suffix> so its operations never end the server's own.
  await db.schema.alterTable('plans').addColumn('disk_qos', 'text').execute();
  await db.schema
    .createTable('server_disks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('server_id', 'text', (c) => c.notNull().unique())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('qos', 'text')
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
