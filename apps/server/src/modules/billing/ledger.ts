import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database, LedgerEntriesTable, LedgerTransactionsTable } from '../../store/schema.ts';
import { CURRENCY } from './money.ts';

/** The kinds of ledger transaction and the account each one moves money against. */
export const COUNTER_ACCOUNT: Record<LedgerTransactionsTable['kind'], string> = {
  topup: 'bank',
  charge: 'revenue',
  refund: 'revenue',
  goodwill: 'goodwill',
  // VAT is owed to the tax office, not earned: it moves against an account of its own.
  vat: 'vat',
  vat_refund: 'vat',
};

/** Which way a transaction moves the tenant's credit: charges take, everything else gives. */
const SIGN: Record<LedgerTransactionsTable['kind'], 1 | -1> = { topup: 1, charge: -1, refund: 1, goodwill: 1, vat: -1, vat_refund: 1 };

/** The ledger account that holds a tenant's credit. */
export const tenantAccount = (tenantId: string) => `tenant:${tenantId}`;

/** One booking to make. */
export interface Posting {
  tenantId: string;
  kind: LedgerTransactionsTable['kind'];
  /** Unique per kind; a second posting with it is refused (DUPLICATE_REFERENCE). */
  reference: string;
  description: string;
  /** Positive micro-cents; the kind says which way they move. */
  amountUc: number;
  actorId: string | null;
  at: number;
}

/**
 * The append-only double-entry ledger: every transaction has two entries that sum to zero,
 * one on the tenant's credit account and one on the counter-account. Nothing is ever updated
 * or deleted; a mistake is corrected by a further transaction.
 */
export function createLedger({ ids }: { clock: Clock; ids: IdGenerator }) {
  return {
    /** Books one transaction inside the caller's transaction; answers its id. */
    async post(trx: Kysely<Database>, p: Posting): Promise<string> {
      if (!Number.isSafeInteger(p.amountUc) || p.amountUc <= 0) throw new Error(`ledger: amount must be a positive integer, got ${p.amountUc}`);
      const dup = await trx.selectFrom('ledger_transactions').select('id').where('kind', '=', p.kind).where('reference', '=', p.reference).executeTakeFirst();
      if (dup) throw new DomainError('DUPLICATE_REFERENCE', { reference: p.reference, transaction: dup.id }, [{ field: 'reference', message: { en: 'already booked', de: 'bereits gebucht' } }]);
      const id = ids('ltx');
      await trx
        .insertInto('ledger_transactions')
        .values({ id, tenant_id: p.tenantId, kind: p.kind, reference: p.reference, description: p.description, actor_id: p.actorId, at: p.at })
        .execute();
      const credit = SIGN[p.kind] * p.amountUc;
      await trx
        .insertInto('ledger_entries')
        .values([
          { id: ids('len'), transaction_id: id, tenant_id: p.tenantId, account: tenantAccount(p.tenantId), amount_uc: credit, currency: CURRENCY, at: p.at },
          { id: ids('len'), transaction_id: id, tenant_id: p.tenantId, account: COUNTER_ACCOUNT[p.kind], amount_uc: -credit, currency: CURRENCY, at: p.at },
        ])
        .execute();
      return id;
    },

    /**
     * The rows of one transaction, for bulk inserts by the meter: no duplicate check here, the
     * unique (kind, reference) constraint refuses a second booking and fails the whole batch.
     */
    rows(p: Posting): { transaction: LedgerTransactionsTable; entries: LedgerEntriesTable[] } {
      if (!Number.isSafeInteger(p.amountUc) || p.amountUc <= 0) throw new Error(`ledger: amount must be a positive integer, got ${p.amountUc}`);
      const id = ids('ltx');
      const credit = SIGN[p.kind] * p.amountUc;
      return {
        transaction: { id, tenant_id: p.tenantId, kind: p.kind, reference: p.reference, description: p.description, actor_id: p.actorId, at: p.at },
        entries: [
          { id: ids('len'), transaction_id: id, tenant_id: p.tenantId, account: tenantAccount(p.tenantId), amount_uc: credit, currency: CURRENCY, at: p.at },
          { id: ids('len'), transaction_id: id, tenant_id: p.tenantId, account: COUNTER_ACCOUNT[p.kind], amount_uc: -credit, currency: CURRENCY, at: p.at },
        ],
      };
    },

    /** A tenant's credit: the sum of its account's entries, in micro-cents. */
    async balance(db: Kysely<Database>, tenantId: string, until?: number): Promise<number> {
      let q = db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number | string | null>('amount_uc').as('sum')).where('account', '=', tenantAccount(tenantId));
      if (until !== undefined) q = q.where('at', '<', until);
      const row = await q.executeTakeFirst();
      return Number(row?.sum ?? 0);
    },
  };
}

/** The ledger service. */
export type Ledger = ReturnType<typeof createLedger>;
