import type { BankLine, BookBankLine, ImportStatement, ListQuery, Page, StatementImport } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../lib/clock.ts';
import { DomainError } from '../../../lib/errors.ts';
import type { IdGenerator } from '../../../lib/ids.ts';
import { paginate } from '../../../lib/paging.ts';
import type { Database } from '../../../store/schema.ts';
import type { BankLinesTable } from '../../../store/schema-invoicing.ts';
import { actorOf, type Audit } from '../../audit/service.ts';
import { type Principal, requireRole } from '../../identity/principal.ts';
import type { Ledger } from '../ledger.ts';
import { CURRENCY, formatEuro, UC_PER_CENT } from '../money.ts';
import { parseCamt053, type StatementLine } from './camt.ts';
import { findCreditorReferences } from './mod97.ts';
import { paymentReference } from './reference.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  ledger: Ledger;
}

/** The ledger reference of a bank line's top-up: one booking per bank reference. */
const ledgerReference = (bankReference: string) => `bank:${bankReference}`;

/** A bank line as the API shows it. */
export function toBankLine(r: BankLinesTable): BankLine {
  const cents = Number(r.amount_cents);
  return {
    id: r.id,
    bankReference: r.bank_reference,
    statementId: r.statement_id,
    bookedOn: r.booked_on,
    amount: { amount: formatEuro(cents * UC_PER_CENT), cents, currency: r.currency },
    debtor: r.debtor,
    remittance: r.remittance,
    tenantId: r.tenant_id,
    transactionId: r.transaction_id,
  };
}

/**
 * Paying in by bank transfer: an operator imports the bank's CAMT.053 statement; each incoming
 * transfer whose remittance holds a tenant's payment reference is booked as that tenant's top-up,
 * the others wait in a list until the operator books them by hand. A bank reference is recorded
 * once (unique in the store), so importing the same statement again books nothing twice.
 */
export function createPayments(d: Deps) {
  const { db, clock } = d;

  /** The tenant whose payment reference the remittance quotes, if exactly one. */
  function tenantByReference(byReference: Map<string, string>, remittance: string): string | null {
    const matches = new Set(findCreditorReferences(remittance).flatMap((r) => byReference.get(r) ?? []));
    return matches.size === 1 ? [...matches][0]! : null;
  }

  async function importLine(trx: Kysely<Database>, byReference: Map<string, string>, statementId: string, l: StatementLine, actorId: string): Promise<{ row: BankLinesTable; duplicate: boolean }> {
    const existing = await trx.selectFrom('bank_lines').selectAll().where('bank_reference', '=', l.bankReference).executeTakeFirst();
    if (existing) return { row: existing, duplicate: true };
    const tenantId = l.currency === CURRENCY && l.amountCents !== null ? tenantByReference(byReference, l.remittance) : null;
    const now = clock();
    let transactionId: string | null = null;
    if (tenantId) {
      transactionId = await d.ledger.post(trx, { tenantId, kind: 'topup', reference: ledgerReference(l.bankReference), description: `bank transfer from ${l.debtor || 'unknown'}: ${l.remittance}`.slice(0, 500), amountUc: l.amountCents! * UC_PER_CENT, actorId, at: now });
    }
    const row: BankLinesTable = {
      id: d.ids('bkl'),
      bank_reference: l.bankReference,
      statement_id: statementId,
      booked_on: l.bookedOn,
      amount_cents: l.amountCents ?? 0,
      currency: l.currency,
      debtor: l.debtor,
      remittance: l.remittance,
      tenant_id: tenantId,
      transaction_id: transactionId,
      imported_at: now,
    };
    await trx.insertInto('bank_lines').values(row).execute();
    return { row, duplicate: false };
  }

  return {
    /** Imports a CAMT.053 statement (operators): books what matches, lists the rest, skips what was imported before. */
    async importStatement(p: Principal, body: ImportStatement, requestId: string): Promise<StatementImport> {
      requireRole(p, 'operator', { en: 'import bank statements', de: 'Kontoauszüge importieren' });
      const statement = parseCamt053(body.xml);
      return db.transaction().execute(async (trx) => {
        // Every tenant's reference once per import, not once per line.
        const byReference = new Map((await trx.selectFrom('tenants').select('id').execute()).map((t) => [paymentReference(t.id), t.id]));
        const out: StatementImport = { statementId: statement.id, booked: [], unmatched: [], duplicates: [], ignored: statement.ignored };
        for (const l of statement.lines) {
          const { row, duplicate } = await importLine(trx, byReference, statement.id, l, p.userId);
          if (duplicate) out.duplicates.push(row.bank_reference);
          else (row.transaction_id ? out.booked : out.unmatched).push(toBankLine(row));
        }
        await d.audit.record(trx, actorOf(p, requestId), {
          action: 'billing.import-statement',
          targetType: 'statement',
          targetId: statement.id,
          detail: { booked: out.booked.length, unmatched: out.unmatched.length, duplicates: out.duplicates.length },
        });
        return out;
      });
    },

    /** Imported bank lines (operators): the unmatched ones waiting, or all. */
    async list(p: Principal, q: ListQuery & { status?: 'unmatched' | 'all' }): Promise<Page<BankLine>> {
      requireRole(p, 'operator', { en: 'see bank lines', de: 'Kontobewegungen sehen' });
      let query = db.selectFrom('bank_lines').selectAll();
      if (q.status !== 'all') query = query.where('transaction_id', 'is', null);
      return paginate(query, 'id', q, toBankLine);
    },

    /** Books an unmatched bank line to a tenant by hand (operators). */
    async book(p: Principal, id: string, body: BookBankLine, requestId: string): Promise<BankLine> {
      requireRole(p, 'operator', { en: 'book payments', de: 'Zahlungen buchen' });
      return db.transaction().execute(async (trx) => {
        const line = await trx.selectFrom('bank_lines').selectAll().where('id', '=', id).executeTakeFirst();
        if (!line) throw new DomainError('BANK_LINE_NOT_FOUND', { id });
        if (line.transaction_id) throw new DomainError('BANK_LINE_BOOKED', { id, transaction: line.transaction_id });
        if (line.currency !== CURRENCY) throw new DomainError('CURRENCY_MISMATCH', { currency: line.currency, expected: CURRENCY }, [{ field: 'currency', message: { en: `the payment is in ${line.currency}, not ${CURRENCY}`, de: `die Zahlung ist in ${line.currency}, nicht in ${CURRENCY}` } }]);
        if (Number(line.amount_cents) <= 0) throw new DomainError('INVALID_AMOUNT', { field: 'amount', amount: String(line.amount_cents) }, [{ field: 'amount', message: { en: 'must be positive', de: 'muss positiv sein' } }]);
        if (!(await trx.selectFrom('tenants').select('id').where('id', '=', body.tenantId).executeTakeFirst())) throw new DomainError('NOT_FOUND', { kind: 'tenant', id: body.tenantId });
        const transactionId = await d.ledger.post(trx, { tenantId: body.tenantId, kind: 'topup', reference: ledgerReference(line.bank_reference), description: `bank transfer from ${line.debtor || 'unknown'}, booked by hand: ${line.remittance}`.slice(0, 500), amountUc: Number(line.amount_cents) * UC_PER_CENT, actorId: p.userId, at: clock() });
        // Guarded by transaction_id still null: two operators booking the same line at once book it once.
        const done = await trx.updateTable('bank_lines').set({ tenant_id: body.tenantId, transaction_id: transactionId }).where('id', '=', id).where('transaction_id', 'is', null).executeTakeFirst();
        if (Number(done.numUpdatedRows) !== 1) throw new DomainError('BANK_LINE_BOOKED', { id, transaction: '?' });
        await d.audit.record(trx, actorOf(p, requestId), { action: 'billing.book-bank-line', targetType: 'tenant', targetId: body.tenantId, detail: { bankLine: id, transaction: transactionId } });
        return toBankLine({ ...line, tenant_id: body.tenantId, transaction_id: transactionId });
      });
    },
  };
}

/** The paying-in service. */
export type Payments = ReturnType<typeof createPayments>;
