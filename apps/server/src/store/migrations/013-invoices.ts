import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Invoicing and paying in: each tenant's billing profile (address, country, VAT id, its stable
 * payment reference), gapless number counters, invoices and credit notes with their lines —
 * refused any UPDATE or DELETE by the store itself, as the ledger is —, imported bank lines and
 * SEPA mandates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('billing_profiles')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('payment_reference', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('street', 'text', (c) => c.notNull())
    .addColumn('postcode', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('vat_id', 'text')
    .addColumn('business', 'integer', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One row per series (kind and year); the issuing transaction moves it, so a number is taken
  // only when its invoice commits: a rollback or crash gives it back, two issuers queue on the row.
  await s
    .createTable('invoice_counters')
    .addColumn('series', 'text', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();
  await s
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    // `tenant:YYYY-MM` for a monthly invoice, so a month is invoiced once; null for credit notes.
    .addColumn('period_key', 'text', (c) => c.unique())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('period_end', 'bigint', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('corrects_id', 'text', (c) => c.references('invoices.id'))
    .addColumn('buyer', 'text', (c) => c.notNull())
    .addColumn('seller', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('vat_category', 'text', (c) => c.notNull())
    .addColumn('vat_rate_bp', 'integer', (c) => c.notNull())
    .addColumn('vat_note', 'text')
    .addColumn('net_cents', 'bigint', (c) => c.notNull())
    .addColumn('tax_cents', 'bigint', (c) => c.notNull())
    .addColumn('gross_cents', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('actor_id', 'text')
    .execute();
  await s.createIndex('invoices_tenant_issued').on('invoices').columns(['tenant_id', 'issued_at']).execute();
  await s
    .createTable('invoice_lines')
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('invoices.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('plan', 'text')
    .addColumn('meter', 'text')
    .addColumn('price_id', 'text')
    .addColumn('seconds', 'bigint', (c) => c.notNull())
    .addColumn('unit_price_uc', 'bigint', (c) => c.notNull())
    .addColumn('unit_seconds', 'bigint', (c) => c.notNull())
    .addColumn('amount_uc', 'bigint', (c) => c.notNull())
    .addColumn('net_cents', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_lines_pk', ['invoice_id', 'position'])
    .execute();
  await s
    .createTable('bank_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The bank's own reference of the entry (AcctSvcrRef, else EndToEndId): booked once only.
    .addColumn('bank_reference', 'text', (c) => c.notNull().unique())
    .addColumn('statement_id', 'text', (c) => c.notNull())
    .addColumn('booked_on', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('debtor', 'text', (c) => c.notNull())
    .addColumn('remittance', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('transaction_id', 'text')
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('sepa_mandates')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('mandate_id', 'text', (c) => c.notNull().unique())
    .addColumn('signed_on', 'text', (c) => c.notNull())
    .addColumn('iban', 'text', (c) => c.notNull())
    .addColumn('bic', 'text')
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('last_collected_on', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // Issued is issued: the store refuses to change or delete an invoice or its lines.
  const tables = ['invoices', 'invoice_lines'];
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function invoices_immutable() returns trigger language plpgsql as $$
      begin raise exception 'an issued invoice is immutable: % on % refused', tg_op, tg_table_name; end $$`.execute(db);
    for (const table of tables) {
      await sql`create trigger ${sql.raw(`${table}_immutable`)} before update or delete on ${sql.table(table)} for each row execute function invoices_immutable()`.execute(db);
    }
  } else {
    for (const table of tables) {
      for (const op of ['update', 'delete']) {
        await sql`create trigger ${sql.raw(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
          begin select raise(abort, 'an issued invoice is immutable'); end`.execute(db);
      }
    }
  }
}
