import type { BillingProfile, CreateCreditNote, Invoice, InvoiceLine, IssueInvoices, ListQuery, Page, SetBillingProfile } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { iso } from '../../../lib/clock.ts';
import { DomainError } from '../../../lib/errors.ts';
import { paginate } from '../../../lib/paging.ts';
import type { Database } from '../../../store/schema.ts';
import type { InvoiceLinesTable, InvoicesTable } from '../../../store/schema-invoicing.ts';
import { actorOf, type Audit } from '../../audit/service.ts';
import { type Principal, requireRole } from '../../identity/principal.ts';
import { CURRENCY, formatEuro, parseEuro, UC_PER_CENT } from '../money.ts';
import { paymentReference } from '../payments/reference.ts';
import { toCii } from './cii.ts';
import type { InvoicingConfig } from './config.ts';
import { type InvoiceDocument, percent } from './document.ts';
import type { Issuer } from './issue.ts';
import { toPdf } from './pdf.ts';
import type { Buyer, Profiles } from './profile.ts';

interface Deps {
  db: Kysely<Database>;
  audit: Audit;
  issuer: Issuer;
  profiles: Profiles;
  config: InvoicingConfig;
}

const amount = (c: number) => ({ amount: formatEuro(Number(c) * UC_PER_CENT), cents: Number(c), currency: CURRENCY as 'EUR' });

function toLine(l: InvoiceLinesTable): InvoiceLine {
  return {
    position: Number(l.position),
    description: l.description,
    resourceId: l.resource_id,
    seconds: Number(l.seconds),
    unitPrice: Number(l.unit_seconds) > 0 ? formatEuro(Number(l.unit_price_uc)) : null,
    unitSeconds: Number(l.unit_seconds),
    exact: formatEuro(Number(l.amount_uc)),
    net: amount(l.net_cents),
  };
}

function toInvoice(r: InvoicesTable, lines?: InvoiceLinesTable[]): Invoice {
  const buyer = JSON.parse(r.buyer) as Buyer;
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    tenantId: r.tenant_id,
    periodStart: iso(r.period_start)!,
    periodEnd: iso(r.period_end)!,
    issuedAt: iso(r.issued_at)!,
    correctsId: r.corrects_id,
    buyer: { name: buyer.name, country: buyer.country, vatId: buyer.vatId, paymentReference: buyer.paymentReference },
    vat: { category: r.vat_category as Invoice['vat']['category'], ratePercent: percent(r.vat_rate_bp), note: r.vat_note },
    net: amount(r.net_cents),
    tax: amount(r.tax_cents),
    gross: amount(r.gross_cents),
    note: r.note,
    ...(lines ? { lines: lines.map(toLine) } : {}),
  };
}

/** Invoices as tenants and operators see them: lists, each as JSON, PDF and e-invoice XML; issuing and credit notes. */
export function createInvoicing(d: Deps) {
  const { db } = d;

  /** The tenant a request is about: operators may name any existing one, everyone else gets their own. */
  async function tenantOf(p: Principal, tenantId: string | undefined): Promise<string> {
    if (!tenantId || tenantId === p.tenantId) return p.tenantId;
    if (p.role !== 'operator' || !(await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst())) throw new DomainError('NOT_FOUND', { kind: 'tenant', id: tenantId });
    return tenantId;
  }

  /** An invoice the caller may see; another tenant's reads as absent. */
  async function visible(p: Principal, id: string): Promise<InvoicesTable> {
    const row = await db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || (p.role !== 'operator' && row.tenant_id !== p.tenantId)) throw new DomainError('INVOICE_NOT_FOUND', { id });
    return row;
  }

  async function documentOf(row: InvoicesTable): Promise<InvoiceDocument> {
    const lines = await db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', row.id).orderBy('position').execute();
    const corrected = row.corrects_id ? await db.selectFrom('invoices').select(['number', 'issued_at']).where('id', '=', row.corrects_id).executeTakeFirst() : undefined;
    return { row, lines, buyer: JSON.parse(row.buyer), seller: JSON.parse(row.seller), corrects: corrected ? { number: corrected.number, issuedAt: Number(corrected.issued_at) } : null, dueDays: d.config.dueDays };
  }

  return {
    /** A tenant's invoices and credit notes, oldest first. */
    async list(p: Principal, q: ListQuery & { tenantId?: string }): Promise<Page<Invoice>> {
      const tenantId = await tenantOf(p, q.tenantId);
      return paginate(db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId), 'id', q, (r) => toInvoice(r), { sort: { number: 'number', issued: 'issued_at' } });
    },

    /** One invoice with its lines. */
    async get(p: Principal, id: string): Promise<Invoice> {
      const row = await visible(p, id);
      return toInvoice(row, (await documentOf(row)).lines);
    },

    /** One invoice as PDF, with a file name from its number. */
    async pdf(p: Principal, id: string): Promise<{ name: string; body: Buffer }> {
      const row = await visible(p, id);
      const doc = await documentOf(row);
      // The PDF carries its e-invoice inside (ZUGFeRD/Factur-X, profile XRechnung).
      return { name: `${row.number}.pdf`, body: await toPdf(doc, toCii(doc)) };
    },

    /** One invoice as an EN 16931 e-invoice (UN/CEFACT CII XML). */
    async xml(p: Principal, id: string): Promise<{ name: string; body: string }> {
      const row = await visible(p, id);
      return { name: `${row.number}.xml`, body: toCii(await documentOf(row)) };
    },

    /** Issues the invoices of an ended month (operators); answers those issued or already there. */
    async issue(p: Principal, body: IssueInvoices, requestId: string): Promise<Page<Invoice>> {
      requireRole(p, 'operator', { en: 'issue invoices', de: 'Rechnungen ausstellen' });
      const [y, m] = body.month.split('-').map(Number) as [number, number];
      const start = Date.UTC(y, m - 1, 1);
      let rows: InvoicesTable[];
      if (body.tenantId) {
        const tenantId = await tenantOf(p, body.tenantId);
        await d.issuer.settleAll();
        const one = await d.issuer.issueMonth(tenantId, start, p.userId);
        rows = one ? [one] : [];
      } else {
        rows = await d.issuer.issueAll(start, p.userId);
      }
      await db.transaction().execute((trx) => d.audit.record(trx, actorOf(p, requestId), { action: 'invoice.issue', targetType: 'tenant', targetId: body.tenantId ?? '*', detail: { month: body.month, invoices: rows.map((r) => r.number) } }));
      return { items: rows.map((r) => toInvoice(r)), nextCursor: null };
    },

    /** Issues a credit note against an invoice (operators). */
    async creditNote(p: Principal, invoiceId: string, body: CreateCreditNote, requestId: string): Promise<Invoice> {
      requireRole(p, 'operator', { en: 'issue credit notes', de: 'Gutschriften ausstellen' });
      if (body.currency && body.currency.toUpperCase() !== CURRENCY) {
        throw new DomainError('CURRENCY_MISMATCH', { currency: body.currency, expected: CURRENCY }, [{ field: 'currency', message: { en: `must be ${CURRENCY}`, de: `muss ${CURRENCY} sein` } }]);
      }
      let netCents: number | null = null;
      if (body.amount !== undefined) {
        const uc = parseEuro(body.amount);
        if (uc === null || uc <= 0 || uc % UC_PER_CENT !== 0) {
          throw new DomainError('INVALID_AMOUNT', { field: 'amount', amount: body.amount }, [{ field: 'amount', message: { en: 'must be a positive amount in whole cents', de: 'muss ein positiver Betrag in ganzen Cent sein' } }]);
        }
        netCents = uc / UC_PER_CENT;
      }
      await visible(p, invoiceId);
      const row = await d.issuer.creditNote(invoiceId, body.reason, netCents, p.userId);
      await db.transaction().execute((trx) => d.audit.record(trx, actorOf(p, requestId), { action: 'invoice.credit-note', targetType: 'invoice', targetId: invoiceId, detail: { number: row.number, net: row.net_cents } }));
      return toInvoice(row, (await documentOf(row)).lines);
    },

    /** A tenant's billing profile (its payment reference even before anything is set). */
    async profile(p: Principal, q: { tenantId?: string }): Promise<BillingProfile> {
      const tenantId = await tenantOf(p, q.tenantId);
      const b = await d.profiles.buyer(db, tenantId, d.config.seller.country);
      return { tenantId, paymentReference: paymentReference(tenantId), name: b.name, street: b.street, postcode: b.postcode, city: b.city, country: b.country, vatId: b.vatId, business: b.business, email: b.email };
    },

    /** Sets a tenant's billing profile (its admins, or operators). */
    async setProfile(p: Principal, body: SetBillingProfile, requestId: string): Promise<BillingProfile> {
      requireRole(p, 'admin', { en: 'change the billing address', de: 'die Rechnungsanschrift ändern' });
      const tenantId = await tenantOf(p, body.tenantId);
      const row = await db.transaction().execute(async (trx) => {
        const r = await d.profiles.set(trx, tenantId, body);
        await d.audit.record(trx, actorOf(p, requestId), { action: 'billing.profile', targetType: 'tenant', targetId: tenantId, detail: { country: r.country, vatId: r.vat_id, business: r.business === 1 } });
        return r;
      });
      return { tenantId, paymentReference: row.payment_reference, name: row.name, street: row.street, postcode: row.postcode, city: row.city, country: row.country, vatId: row.vat_id, business: row.business === 1, email: row.email };
    },
  };
}

/** The invoicing service. */
export type Invoicing = ReturnType<typeof createInvoicing>;
