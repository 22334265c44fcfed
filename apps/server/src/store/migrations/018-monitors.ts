import type { Kysely } from 'kysely';

/**
 * Uptime monitors: what to check and how often (settings as JSON, so new check options need no
 * migration), the state the last checks left (up/down, failures in a row, certificate warnings sent),
 * and one row per check result for history and uptime percentages.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('monitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('state_since', 'bigint')
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_checked_at', 'bigint')
    .addColumn('last_message', 'text')
    .addColumn('last_response_ms', 'integer')
    .addColumn('last_target', 'text')
    .addColumn('cert_expires_at', 'bigint')
    .addColumn('cert_warned_days', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('monitors_tenant_name', ['tenant_id', 'name'])
    .execute();
  await db.schema
    .createTable('monitor_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('response_ms', 'integer')
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('monitor_results_by_time').on('monitor_results').columns(['monitor_id', 'at']).execute();
}
