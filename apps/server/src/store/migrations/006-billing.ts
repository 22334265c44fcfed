import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Billing: prices per plan, the phase log servers' lifecycles are metered from, meter cursors,
 * usage records and the append-only double-entry ledger. Amounts are integer micro-cents
 * (1 EUR = 100,000,000), so per-second prices are exact enough to be rounded once, on the invoice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('prices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('running_uc', 'bigint', (c) => c.notNull())
    .addColumn('stopped_uc', 'bigint', (c) => c.notNull())
    .addColumn('per', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('prices_plan_effective', ['plan', 'effective_from'])
    .execute();
  await s
    .createTable('server_phase_log')
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('server_name', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('server_phase_log_pk', ['server_id', 'seq'])
    .execute();
  await s
    .createTable('meters')
    .addColumn('resource_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('metered_until', 'bigint')
    .addColumn('closed', 'integer', (c) => c.notNull())
    .execute();
  await s
    .createTable('usage_records')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('meter', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('seconds', 'bigint', (c) => c.notNull())
    .addColumn('price_id', 'text')
    .addColumn('amount_uc', 'bigint', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .execute();
  await s.createIndex('usage_records_tenant_start').on('usage_records').columns(['tenant_id', 'start_at']).execute();
  await s
    .createTable('ledger_transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('ledger_transactions_kind_reference', ['kind', 'reference'])
    .execute();
  await s
    .createTable('ledger_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transaction_id', 'text', (c) => c.notNull().references('ledger_transactions.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('amount_uc', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('ledger_entries_account_at').on('ledger_entries').columns(['account', 'at']).execute();
  await s.createIndex('ledger_entries_transaction').on('ledger_entries').column('transaction_id').execute();
  // Append-only in the store itself, not only by convention: no UPDATE or DELETE reaches the ledger.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function ledger_append_only() returns trigger language plpgsql as $$
      begin raise exception 'the ledger is append-only: % on % refused', tg_op, tg_table_name; end $$`.execute(db);
    for (const table of ['ledger_transactions', 'ledger_entries']) {
      await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)} for each row execute function ledger_append_only()`.execute(db);
    }
  } else {
    for (const table of ['ledger_transactions', 'ledger_entries']) {
      for (const op of ['update', 'delete']) {
        await sql`create trigger ${sql.raw(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
          begin select raise(abort, 'the ledger is append-only'); end`.execute(db);
      }
    }
  }
}
