import { type Kysely, sql } from 'kysely';
import type { Clock } from '../../../lib/clock.ts';
import { DomainError } from '../../../lib/errors.ts';
import type { IdGenerator } from '../../../lib/ids.ts';
import type { Reconciler } from '../../../reconcile/worker.ts';
import type { Database } from '../../../store/schema.ts';
import type { InvoiceLinesTable, InvoicesTable } from '../../../store/schema-invoicing.ts';
import type { Ledger } from '../ledger.ts';
import { CURRENCY, UC_PER_CENT } from '../money.ts';
import { monthStart, nextMonthStart } from '../segments.ts';
import { composeLines, totalsOf, type UsageGroup, unitPrice } from './compose.ts';
import type { InvoicingConfig } from './config.ts';
import type { Profiles } from './profile.ts';
import { vatFor } from './vat.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  ledger: Ledger;
  profiles: Profiles;
  config: InvoicingConfig;
  /** Books every open meter up to now, so a month's usage is complete before it is invoiced. */
  settle: () => Promise<void>;
  /** Called after the number is taken and before the invoice is written; failure tests throw here. */
  onNumber?: (number: string) => void;
}

/** The queue kind and id of the monthly invoicing job. */
export const INVOICING_KIND = 'invoicing';
/** The one item of the invoicing job. */
export const MONTHLY = 'monthly';
/** How long after a month's end the job runs: the last meter passes of the month have landed by then. */
const AFTER_MONTH_END_MS = 3_600_000;

/** `YYYY-MM` of a month start. */
export const monthKey = (start: number) => new Date(start).toISOString().slice(0, 7);

/**
 * Takes the next number of a series inside the issuing transaction. The counter row is locked
 * until that transaction ends (PostgreSQL's row lock; SQLite's single writer), so a second issuer
 * waits, and a rollback or crash gives the number back: numbers have no gaps and no twins.
 */
export async function takeNumber(trx: Kysely<Database>, series: string): Promise<string> {
  const row = await trx
    .insertInto('invoice_counters')
    .values({ series, last: 1 })
    .onConflict((oc) => oc.column('series').doUpdateSet({ last: sql`invoice_counters.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return `${series}-${String(row.last).padStart(6, '0')}`;
}

/**
 * Issues invoices and credit notes. An invoice covers one tenant's calendar month (UTC), has
 * one line per resource and price, rounded once to the cent, VAT by the buyer's country, and is
 * written with its number in one transaction; the store refuses any later change to it.
 */
export function createIssuer(d: Deps) {
  const { db, clock, config } = d;

  /** The month's usage of a tenant, grouped by resource, meter and price. */
  async function usageOf(trx: Kysely<Database>, tenantId: string, start: number, end: number): Promise<UsageGroup[]> {
    const rows = await trx
      .selectFrom('usage_records')
      .select(['resource_id', 'resource_type', 'plan', 'meter', 'price_id', 'quantity'])
      .select((eb) => [eb.fn.max('resource_name').as('name'), eb.fn.min<number | string>('start_at').as('first'), eb.fn.sum<number | string>('seconds').as('seconds'), eb.fn.sum<number | string>('amount_uc').as('amount')])
      .where('tenant_id', '=', tenantId)
      .where('start_at', '>=', start)
      .where('start_at', '<', end)
      .groupBy(['resource_id', 'resource_type', 'plan', 'meter', 'price_id', 'quantity'])
      .execute();
    const groups = rows.map((r) => ({ resourceId: r.resource_id, resourceType: r.resource_type, name: String(r.name), plan: r.plan, meter: r.meter, priceId: r.price_id, quantity: r.quantity == null ? 1 : Number(r.quantity), firstAt: Number(r.first), seconds: Number(r.seconds), amountUc: Number(r.amount) }));
    // Traffic records carry the bytes each pass added, not a size: one line per server and price, their bytes summed.
    const traffic = new Map<string, UsageGroup>();
    for (const g of groups.filter((x) => x.resourceType === 'traffic')) {
      const key = `${g.resourceId}:${g.priceId}`;
      const t = traffic.get(key);
      if (t) {
        t.quantity += g.quantity;
        t.amountUc += g.amountUc;
        t.firstAt = Math.min(t.firstAt, g.firstAt);
      } else traffic.set(key, { ...g });
    }
    return [...groups.filter((x) => x.resourceType !== 'traffic'), ...traffic.values()];
  }

  /** Refuses to invoice a month whose usage some open meter has not booked to its end yet. */
  async function requireSettled(trx: Kysely<Database>, tenantId: string, end: number): Promise<void> {
    const open = await trx
      .selectFrom('meters as m')
      .select('m.resource_id')
      .where('m.tenant_id', '=', tenantId)
      .where('m.closed', '=', 0)
      .where((eb) => eb.or([eb('m.metered_until', 'is', null), eb('m.metered_until', '<', end)]))
      .where((eb) =>
        eb.or([
          eb.exists(eb.selectFrom('server_phase_log as l').select('l.seq').whereRef('l.server_id', '=', 'm.resource_id').where('l.at', '<', end)),
          eb.exists(eb.selectFrom('resource_phase_log as r').select('r.seq').whereRef('r.resource_id', '=', 'm.resource_id').where('r.at', '<', end)),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    if (open) throw new DomainError('USAGE_NOT_SETTLED', { resource: open.resource_id, month: monthKey(monthStart(end - 1)) });
  }

  /** Refuses a month that has not ended yet; answers its end. */
  function requireEnded(start: number): number {
    const end = nextMonthStart(start);
    if (end > clock()) throw new DomainError('PERIOD_NOT_ENDED', { month: monthKey(start) }, [{ field: 'month', message: { en: 'has not ended yet', de: 'ist noch nicht zu Ende' } }]);
    return end;
  }

  /** Issues one tenant's month in one transaction: the invoice found, or a new one with its number and lines. */
  function issueOnce(periodKey: string, start: number, end: number, tenantId: string, actorId: string | null): Promise<InvoicesTable | null> {
    return db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('invoices').selectAll().where('period_key', '=', periodKey).executeTakeFirst();
      if (existing) return existing;
      await requireSettled(trx, tenantId, end);
      const groups = await usageOf(trx, tenantId, start, end);
      const priceRows = new Map((await trx.selectFrom('prices').selectAll().execute()).map((p) => [p.id, p]));
      const plans = new Map((await trx.selectFrom('plans').select(['name', 'price_hour_minor']).execute()).map((p) => [p.name, Number(p.price_hour_minor)]));
      const lines = composeLines(groups, (g) => unitPrice(g.meter, g.priceId ? (priceRows.get(g.priceId) ?? null) : null, plans.get(g.plan) ?? 0, g.resourceType));
      if (!lines.length) return null;
      const buyer = await d.profiles.buyer(trx, tenantId, config.seller.country);
      const vat = vatFor(config.vat, config.seller.country, buyer);
      const totals = totalsOf(lines, vat);
      const number = await takeNumber(trx, `INV-${monthKey(start).slice(0, 4)}`);
      d.onNumber?.(number);
      const row: InvoicesTable = {
        id: d.ids('inv'),
        number,
        kind: 'invoice',
        tenant_id: tenantId,
        period_key: periodKey,
        period_start: start,
        period_end: end,
        issued_at: clock(),
        corrects_id: null,
        buyer: JSON.stringify(buyer),
        seller: JSON.stringify(config.seller),
        currency: CURRENCY,
        vat_category: vat.category,
        vat_rate_bp: vat.rateBp,
        vat_note: vat.note,
        net_cents: totals.netCents,
        tax_cents: totals.taxCents,
        gross_cents: totals.grossCents,
        note: null,
        actor_id: actorId,
      };
      await trx.insertInto('invoices').values(row).execute();
      await trx.insertInto('invoice_lines').values(lines.map((l) => ({ ...l, invoice_id: row.id }))).execute();
      // The usage was charged net, second by second; the invoice's VAT is owed once it is issued and
      // is taken from the prepaid credit then, under the invoice's number (README: VAT and prepaid credit).
      if (totals.taxCents > 0) {
        await d.ledger.post(trx, { tenantId, kind: 'vat', reference: number, description: `VAT ${(vat.rateBp / 100).toFixed(2)} % of invoice ${number}`, amountUc: totals.taxCents * UC_PER_CENT, actorId, at: clock() });
      }
      return row;
    });
  }

  const api = {
    /** Books every open meter up to now (before invoicing a single tenant). */
    settleAll: () => d.settle(),

    /**
     * Issues the invoice of one tenant for the month starting at `start`, once: a month already
     * invoiced answers that invoice, a month without charges answers null.
     */
    async issueMonth(tenantId: string, start: number, actorId: string | null = null): Promise<InvoicesTable | null> {
      const end = requireEnded(start);
      const periodKey = `${tenantId}:${monthKey(start)}`;
      const found = () => db.selectFrom('invoices').selectAll().where('period_key', '=', periodKey).executeTakeFirst();
      // Two issuers of the same month (the job and an operator, or two processes): the second one
      // waits on the counter row, then fails on the unique period key and rolls its number back;
      // it answers the invoice the first one issued.
      return issueOnce(periodKey, start, end, tenantId, actorId).catch(async (err) => {
        const existing = await found();
        if (existing) return existing;
        throw err;
      });
    },

    /** Issues every tenant's invoice for the month starting at `start`; answers those issued or found. */
    async issueAll(start: number, actorId: string | null = null): Promise<InvoicesTable[]> {
      const end = requireEnded(start);
      await d.settle();
      const tenants = await db.selectFrom('usage_records').select('tenant_id').distinct().where('start_at', '>=', start).where('start_at', '<', end).orderBy('tenant_id').execute();
      const out: InvoicesTable[] = [];
      for (const t of tenants) {
        const inv = await api.issueMonth(t.tenant_id, start, actorId);
        if (inv) out.push(inv);
      }
      return out;
    },

    /**
     * Issues a credit note against an invoice: the whole invoice when `netCents` is absent,
     * else that net amount; never more than is left to credit. The credit goes back to the
     * tenant's account as a refund booked under the credit note's number.
     */
    async creditNote(invoiceId: string, reason: string, netCents: number | null, actorId: string | null): Promise<InvoicesTable> {
      return db.transaction().execute(async (trx) => {
        const inv = await trx.selectFrom('invoices').selectAll().where('id', '=', invoiceId).where('kind', '=', 'invoice').executeTakeFirst();
        if (!inv) throw new DomainError('INVOICE_NOT_FOUND', { id: invoiceId });
        const credited = await trx.selectFrom('invoices').select((eb) => eb.fn.sum<number | string | null>('net_cents').as('s')).where('corrects_id', '=', invoiceId).executeTakeFirst();
        const left = Number(inv.net_cents) - Number(credited?.s ?? 0);
        const amount = netCents ?? left;
        if (amount <= 0 || amount > left) {
          throw new DomainError('CREDIT_EXCEEDS_INVOICE', { invoice: inv.number, left: (left / 100).toFixed(2) }, [{ field: 'amount', message: { en: `must be more than 0 and at most ${(left / 100).toFixed(2)}`, de: `muss größer als 0 und höchstens ${(left / 100).toFixed(2)} sein` } }]);
        }
        let lines: Omit<InvoiceLinesTable, 'invoice_id'>[];
        if (netCents === null && Number(credited?.s ?? 0) === 0) {
          lines = (await trx.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoiceId).orderBy('position').execute()).map(({ invoice_id: _i, ...l }) => l);
        } else {
          lines = [{ position: 1, description: `Correction of invoice ${inv.number} / Korrektur der Rechnung ${inv.number}: ${reason}`, resource_id: null, plan: null, meter: null, price_id: null, seconds: 0, unit_price_uc: amount * UC_PER_CENT, unit_seconds: 0, amount_uc: amount * UC_PER_CENT, net_cents: amount }];
        }
        const vat = { category: inv.vat_category as 'S' | 'AE' | 'O', rateBp: Number(inv.vat_rate_bp), note: inv.vat_note };
        const totals = totalsOf(lines, vat);
        const now = clock();
        const number = await takeNumber(trx, `CN-${new Date(now).toISOString().slice(0, 4)}`);
        d.onNumber?.(number);
        const row: InvoicesTable = { ...inv, id: d.ids('inv'), number, kind: 'credit_note', period_key: null, issued_at: now, corrects_id: inv.id, net_cents: totals.netCents, tax_cents: totals.taxCents, gross_cents: totals.grossCents, note: reason, actor_id: actorId };
        await trx.insertInto('invoices').values(row).execute();
        await trx.insertInto('invoice_lines').values(lines.map((l) => ({ ...l, invoice_id: row.id }))).execute();
        await d.ledger.post(trx, { tenantId: inv.tenant_id, kind: 'refund', reference: number, description: `credit note ${number} for invoice ${inv.number}`, amountUc: totals.netCents * UC_PER_CENT, actorId, at: now });
        // The VAT the invoice took from the credit goes back with the credit note's share of it.
        if (totals.taxCents > 0) {
          await d.ledger.post(trx, { tenantId: inv.tenant_id, kind: 'vat_refund', reference: number, description: `VAT of credit note ${number} for invoice ${inv.number}`, amountUc: totals.taxCents * UC_PER_CENT, actorId, at: now });
        }
        return row;
      });
    },

    /**
     * The monthly job on the work queue: invoices the month that ended last (and any earlier one
     * left over) for every tenant, then asks to run again an hour after the next month's end.
     */
    reconciler: (async (_id: string) => {
      const now = clock();
      const last = monthStart(monthStart(now) - 1);
      const due = monthStart(now) + AFTER_MONTH_END_MS;
      if (now >= due) {
        // Months before `last` that were never invoiced (the control plane was down) come first.
        const first = await db.selectFrom('usage_records').select((eb) => eb.fn.min<number | null>('start_at').as('m')).executeTakeFirst();
        const newest = await db.selectFrom('invoices').select((eb) => eb.fn.max<number | null>('period_start').as('m')).where('kind', '=', 'invoice').executeTakeFirst();
        let m = newest?.m != null ? Number(newest.m) : first?.m != null ? monthStart(Number(first.m)) : last;
        for (; m <= last; m = nextMonthStart(m)) await api.issueAll(m);
      }
      const next = now >= due ? nextMonthStart(now) + AFTER_MONTH_END_MS : due;
      return { againMs: next - now };
    }) satisfies Reconciler,
  };
  return api;
}

/** The invoice issuer. */
export type Issuer = ReturnType<typeof createIssuer>;
