import type { BulkColumns } from '../../store/bulk-insert.ts';
import type { LedgerEntriesTable, LedgerTransactionsTable, UsageRecordsTable } from '../../store/schema.ts';

/** The columns of the meters' bulk inserts. */
export const TRANSACTION_COLUMNS: BulkColumns<LedgerTransactionsTable> = { id: 'text', tenant_id: 'text', kind: 'text', reference: 'text', description: 'text', actor_id: 'text', at: 'bigint' };
export const ENTRY_COLUMNS: BulkColumns<LedgerEntriesTable> = { id: 'text', transaction_id: 'text', tenant_id: 'text', account: 'text', amount_uc: 'bigint', currency: 'text', at: 'bigint' };
export const USAGE_COLUMNS: BulkColumns<UsageRecordsTable> = {
  key: 'text',
  tenant_id: 'text',
  resource_type: 'text',
  resource_id: 'text',
  resource_name: 'text',
  plan: 'text',
  meter: 'text',
  start_at: 'bigint',
  end_at: 'bigint',
  seconds: 'bigint',
  price_id: 'text',
  amount_uc: 'bigint',
  transaction_id: 'text',
  quantity: 'bigint',
};
