import type { Kysely } from 'kysely';

/**
 * Quotas per tenant, the dunning state each tenant is in, the in-app notices it sends and the
 * outbox its e-mails leave through (written in the transaction of the step, sent afterwards).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  // A null limit means the serve configuration's default.
  await s
    .createTable('tenant_quotas')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('servers', 'integer')
    .addColumn('vcpus', 'integer')
    .addColumn('memory_mb', 'integer')
    .addColumn('disk_gb', 'integer')
    .addColumn('volumes', 'integer')
    .addColumn('volume_gb', 'integer')
    .addColumn('public_ips', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('dunning_states')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('warned_seconds', 'bigint')
    .addColumn('suspended_at', 'bigint')
    .addColumn('final_warned_at', 'bigint')
    .addColumn('resume_servers', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('notices_tenant_created').on('notices').columns(['tenant_id', 'created_at']).execute();
  await s
    .createTable('mail_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .execute();
}
