import type { DebitExport, ExportDebits, Mandate, SetMandate } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../lib/clock.ts';
import { DomainError } from '../../../lib/errors.ts';
import type { IdGenerator } from '../../../lib/ids.ts';
import type { Database } from '../../../store/schema.ts';
import type { SepaMandatesTable } from '../../../store/schema-invoicing.ts';
import { actorOf, type Audit } from '../../audit/service.ts';
import { type Principal, requireRole } from '../../identity/principal.ts';
import type { Seller } from '../invoices/config.ts';
import type { Ledger } from '../ledger.ts';
import { formatEuro, parseEuro, UC_PER_CENT } from '../money.ts';
import { compact, ibanValid } from './mod97.ts';
import { type Debit, toPain008 } from './pain008.ts';
import { paymentReference } from './reference.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  ledger: Ledger;
  seller: Seller;
}

const field = (code: 'INVALID_IBAN' | 'INVALID_MANDATE', name: string, value: string, en: string, de: string) =>
  new DomainError(code, { field: name, value, reason: { en, de } }, [{ field: name, message: { en, de } }]);

const toMandate = (m: SepaMandatesTable): Mandate => ({
  tenantId: m.tenant_id,
  mandateId: m.mandate_id,
  signedOn: m.signed_on,
  iban: m.iban,
  bic: m.bic,
  holder: m.holder,
  amount: { amount: formatEuro(Number(m.amount_cents) * UC_PER_CENT), cents: Number(m.amount_cents), currency: 'EUR' },
  lastCollectedOn: m.last_collected_on,
});

/**
 * SEPA direct debit: a tenant's mandate (IBAN checked by its digits, mandate id and signing date)
 * and the operator's export of the debits due as a pain.008 file. A debit is due for a tenant
 * whose credit has fallen below its mandate's amount and which was not collected on that date yet;
 * the money is booked when the bank's statement shows it (by the payment reference it carries).
 */
export function createSepa(d: Deps) {
  const { db, clock } = d;

  async function tenantOf(p: Principal, tenantId: string | undefined): Promise<string> {
    if (!tenantId || tenantId === p.tenantId) return p.tenantId;
    if (p.role !== 'operator' || !(await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst())) throw new DomainError('NOT_FOUND', { kind: 'tenant', id: tenantId });
    return tenantId;
  }

  return {
    /** A tenant's mandate, or null. */
    async get(p: Principal, q: { tenantId?: string }): Promise<Mandate | null> {
      const tenantId = await tenantOf(p, q.tenantId);
      const m = await db.selectFrom('sepa_mandates').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return m ? toMandate(m) : null;
    },

    /** Records a tenant's mandate after checking IBAN, BIC, mandate id, date and amount (its admins, or operators). */
    async set(p: Principal, body: SetMandate, requestId: string): Promise<Mandate> {
      requireRole(p, 'admin', { en: 'set a direct-debit mandate', de: 'ein Lastschriftmandat erteilen' });
      const tenantId = await tenantOf(p, body.tenantId);
      const iban = compact(body.iban);
      if (!ibanValid(iban)) throw field('INVALID_IBAN', 'iban', body.iban, 'has a wrong length or check digits', 'hat eine falsche Länge oder Prüfziffer');
      const bic = body.bic ? compact(body.bic) : null;
      if (bic && !/^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/.test(bic)) throw field('INVALID_MANDATE', 'bic', body.bic ?? '', 'is not a BIC', 'ist keine BIC');
      if (!/^[A-Za-z0-9+?/:().,' -]{1,35}$/.test(body.mandateId)) throw field('INVALID_MANDATE', 'mandateId', body.mandateId, 'must be 1–35 SEPA characters', 'muss 1–35 SEPA-Zeichen lang sein');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(body.signedOn) || Number.isNaN(Date.parse(body.signedOn)) || Date.parse(body.signedOn) > clock()) {
        throw field('INVALID_MANDATE', 'signedOn', body.signedOn, 'must be a date (YYYY-MM-DD) not in the future', 'muss ein Datum (JJJJ-MM-TT) sein, das nicht in der Zukunft liegt');
      }
      const uc = parseEuro(body.amount);
      if (uc === null || uc <= 0 || uc % UC_PER_CENT !== 0) {
        throw new DomainError('INVALID_AMOUNT', { field: 'amount', amount: body.amount }, [{ field: 'amount', message: { en: 'must be a positive amount in whole cents', de: 'muss ein positiver Betrag in ganzen Cent sein' } }]);
      }
      const row: SepaMandatesTable = { tenant_id: tenantId, mandate_id: body.mandateId, signed_on: body.signedOn, iban, bic, holder: body.holder, amount_cents: uc / UC_PER_CENT, last_collected_on: null, created_at: clock() };
      return db.transaction().execute(async (trx) => {
        const { tenant_id: _t, ...rest } = row;
        await trx.insertInto('sepa_mandates').values(row).onConflict((oc) => oc.column('tenant_id').doUpdateSet(rest)).execute();
        await d.audit.record(trx, actorOf(p, requestId), { action: 'billing.mandate', targetType: 'tenant', targetId: tenantId, detail: { mandateId: row.mandate_id, iban: `${iban.slice(0, 4)}…${iban.slice(-4)}` } });
        return toMandate(row);
      });
    },

    /** Exports the debits due on `collectionDate` as pain.008 (operators) and marks them as collected on that date. */
    async exportDebits(p: Principal, body: ExportDebits, requestId: string): Promise<DebitExport> {
      requireRole(p, 'operator', { en: 'export direct debits', de: 'Lastschriften exportieren' });
      const now = clock();
      const date = body.collectionDate ?? new Date(now + 2 * 86_400_000).toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)) || Date.parse(date) < Date.parse(new Date(now).toISOString().slice(0, 10))) {
        throw new DomainError('VALIDATION_FAILED', { summary: { en: 'collectionDate must be today or later', de: 'collectionDate muss heute oder später sein' } }, [{ field: 'collectionDate', message: { en: 'must be a date (YYYY-MM-DD) from today on', de: 'muss ein Datum (JJJJ-MM-TT) ab heute sein' } }]);
      }
      return db.transaction().execute(async (trx) => {
        const mandates = await trx.selectFrom('sepa_mandates').selectAll().orderBy('tenant_id').execute();
        const debits: Debit[] = [];
        for (const m of mandates) {
          if (m.last_collected_on && m.last_collected_on >= date) continue;
          const balance = await d.ledger.balance(trx, m.tenant_id);
          if (balance >= Number(m.amount_cents) * UC_PER_CENT) continue;
          const ref = paymentReference(m.tenant_id);
          debits.push({ endToEndId: `${ref}-${date.replace(/-/g, '')}`, amountCents: Number(m.amount_cents), mandateId: m.mandate_id, signedOn: m.signed_on, debtor: m.holder, iban: m.iban, bic: m.bic, remittance: `${ref} Kumulus credit`, sequence: m.last_collected_on ? 'RCUR' : 'FRST' });
          await trx.updateTable('sepa_mandates').set({ last_collected_on: date }).where('tenant_id', '=', m.tenant_id).execute();
        }
        const messageId = d.ids('dd').slice(0, 35);
        const total = debits.reduce((a, x) => a + x.amountCents, 0);
        await d.audit.record(trx, actorOf(p, requestId), { action: 'billing.export-debits', targetType: 'debits', targetId: messageId, detail: { collectionDate: date, count: debits.length, total } });
        return {
          messageId,
          collectionDate: date,
          count: debits.length,
          total: { amount: formatEuro(total * UC_PER_CENT), cents: total, currency: 'EUR' },
          xml: debits.length ? toPain008(messageId, now, date, d.seller, debits) : null,
        };
      });
    },
  };
}

/** The SEPA service. */
export type Sepa = ReturnType<typeof createSepa>;
