import type { Amount, BillingSummary, CreateLedgerTransaction, CreatePrice, LedgerEntry, ListQuery, Page, Price } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { type Clock, iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { pageInMemory, paginate } from '../../lib/paging.ts';
import type { Database, PricesTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { type Ledger, tenantAccount } from './ledger.ts';
import type { Metering } from './meter.ts';
import { billedAs, METER_KINDS, productKind } from './meter-kinds.ts';
import { CURRENCY, formatEuro, parseEuro, rate, SECONDS_PER, toCents, UC_PER_CENT } from './money.ts';
import type { Prices } from './prices.ts';
import { monthStart, nextMonthStart, priceAt, unitPriceUc } from './segments.ts';

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  audit: Audit;
  ledger: Ledger;
  prices: Prices;
  metering: Metering;
  /** The VAT rate (basis points) a tenant's invoices carry; none (0) when left out. */
  vatRateBp?: (db: Kysely<Database>, tenantId: string) => Promise<number>;
}

/** An exact amount as the API shows it. */
export const amountOf = (uc: number): Amount => ({ amount: formatEuro(uc), cents: toCents(uc), currency: CURRENCY });

const toPrice = (r: PricesTable): Price => ({
  id: r.id,
  kind: productKind(r.plan) ?? 'server',
  plan: productKind(r.plan) ? null : r.plan,
  per: r.per,
  running: formatEuro(Number(r.running_uc)),
  stopped: formatEuro(Number(r.stopped_uc)),
  currency: CURRENCY,
  effectiveFrom: iso(r.effective_from)!,
  createdAt: iso(r.created_at)!,
  monthlyCap: r.cap_uc == null ? null : formatEuro(Number(r.cap_uc)),
});

/** A euro amount from a request, which must be positive (and whole cents, where money is paid). */
function euroField(text: string, name: string, opts: { cents?: boolean; zero?: boolean } = {}): number {
  const uc = parseEuro(text);
  const bad = uc === null || uc < 0 || (uc === 0 && !opts.zero) || (opts.cents && uc % UC_PER_CENT !== 0);
  if (bad) {
    const en = opts.cents ? 'must be a positive amount in whole cents' : opts.zero ? 'must be zero or positive' : 'must be positive';
    const de = opts.cents ? 'muss ein positiver Betrag in ganzen Cent sein' : opts.zero ? 'muss null oder positiv sein' : 'muss positiv sein';
    throw new DomainError('INVALID_AMOUNT', { field: name, amount: text }, [{ field: name, message: { en, de } }]);
  }
  return uc;
}

/** Billing as tenants and operators see it: prices, bookings, the ledger and the cost monitor. */
export function createBilling(d: Deps) {
  const { db, clock } = d;

  /** The tenant a request is about: operators may name any existing one, everyone else gets their own. */
  async function tenantOf(p: Principal, tenantId: string | undefined): Promise<string> {
    if (!tenantId || tenantId === p.tenantId) return p.tenantId;
    // Another tenant's billing is reported as absent to non-operators: its existence does not leak.
    if (p.role !== 'operator' || !(await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst())) {
      throw new DomainError('NOT_FOUND', { kind: 'tenant', id: tenantId });
    }
    return tenantId;
  }

  return {
    /** Every price, by plan and effective time. */
    async listPrices(q: ListQuery = {}): Promise<Page<Price>> {
      const items = (await d.prices.list(db)).map(toPrice);
      return pageInMemory(items, q, { id: (x) => x.id, created: (x) => x.id, kind: (x) => x.kind, plan: (x) => x.plan, effective_from: (x) => x.effectiveFrom });
    },

    /** Sets a plan's price from a time on (operators). */
    async createPrice(p: Principal, body: CreatePrice, requestId: string): Promise<Price> {
      requireRole(p, 'operator', { en: 'set prices', de: 'Preise festlegen' });
      const runningUc = euroField(body.running, 'running', { zero: true });
      const stoppedUc = euroField(body.stopped ?? '0', 'stopped', { zero: true });
      const capUc = body.monthlyCap == null ? null : euroField(body.monthlyCap, 'monthlyCap');
      const effectiveFrom = body.effectiveFrom ? Date.parse(body.effectiveFrom) : null;
      return db.transaction().execute(async (trx) => {
        const kind = body.kind ?? 'server';
        const row = await d.prices.create(trx, { kind, plan: body.plan ?? null, runningUc, stoppedUc, per: body.per, currency: body.currency, effectiveFrom, capUc });
        await d.audit.record(trx, actorOf(p, requestId), { action: 'price.create', targetType: 'price', targetId: row.id, detail: { kind, plan: body.plan ?? null, running: body.running, stopped: body.stopped ?? '0', per: body.per, monthlyCap: body.monthlyCap ?? null } });
        return toPrice(row);
      });
    },

    /** Books a top-up, refund or goodwill credit (operators); a reference is booked only once per kind. */
    async book(p: Principal, body: CreateLedgerTransaction, requestId: string): Promise<LedgerEntry> {
      requireRole(p, 'operator', { en: 'book payments', de: 'Zahlungen buchen' });
      const tenantId = await tenantOf(p, body.tenantId);
      if (body.currency.toUpperCase() !== CURRENCY) {
        throw new DomainError('CURRENCY_MISMATCH', { currency: body.currency, expected: CURRENCY }, [{ field: 'currency', message: { en: `must be ${CURRENCY}`, de: `muss ${CURRENCY} sein` } }]);
      }
      const amountUc = euroField(body.amount, 'amount', { cents: true });
      return db.transaction().execute(async (trx) => {
        const txId = await d.ledger.post(trx, { tenantId, kind: body.kind, reference: body.reference, description: body.description ?? '', amountUc, actorId: p.userId, at: clock() });
        await d.audit.record(trx, actorOf(p, requestId), { action: `billing.${body.kind}`, targetType: 'tenant', targetId: tenantId, detail: { transaction: txId, amount: body.amount, reference: body.reference } });
        const entry = await entries(trx).where('e.transaction_id', '=', txId).where('e.account', '=', tenantAccount(tenantId)).executeTakeFirstOrThrow();
        return toEntry(entry);
      });
    },

    /** A tenant's credit account line by line, oldest first. */
    async ledger(p: Principal, q: ListQuery & { tenantId?: string }): Promise<Page<LedgerEntry>> {
      const tenantId = await tenantOf(p, q.tenantId);
      return paginate(entries(db).where('e.account', '=', tenantAccount(tenantId)), 'e.id', q, toEntry);
    },

    /** The cost monitor: credit, spent this month per resource, the month's forecast and when the credit runs out. */
    async summary(p: Principal, q: { tenantId?: string }): Promise<BillingSummary> {
      const tenantId = await tenantOf(p, q.tenantId);
      // One snapshot for every read: a meter pass committing between reading the unbooked usage and
      // the ledger would count its charges twice (on PostgreSQL, where it runs beside us), and
      // dunning suspends on this figure. SQLite's single connection gives the same by itself.
      return db.transaction().setIsolationLevel('repeatable read').execute((trx) => summarize(trx, tenantId));
    },
  };

  /** The cost monitor's figures for one tenant, read through `db` (one snapshot). */
  async function summarize(db: Kysely<Database>, tenantId: string): Promise<BillingSummary> {
    const now = clock();
    const start = monthStart(now);
    const end = nextMonthStart(now);
    const booked = await db
      .selectFrom('usage_records')
      .select(['resource_id', 'resource_type', 'resource_name', 'plan'])
      .select((eb) => eb.fn.sum<number | string>('amount_uc').as('amount'))
      .where('tenant_id', '=', tenantId)
      .where('start_at', '>=', start)
      .groupBy(['resource_id', 'resource_type', 'resource_name', 'plan'])
      .execute();
    const unbooked = await d.metering.unbooked(db, tenantId);
    const current = await d.metering.current(db, tenantId);
    const prices = await d.prices.timelines(db);
    const byResource = new Map<string, BillingSummary['resources'][number] & { uc: number }>();
    // Keyed by type and id: a server's traffic beyond its plan is a line of its own beside the server.
    const entry = (id: string, type: string, name: string, plan: string) => {
      const key = `${type}:${id}`;
      const r = byResource.get(key) ?? { resourceId: id, resourceType: type, name, plan, billedAs: null, spent: amountOf(0), uc: 0 };
      byResource.set(key, r);
      return r;
    };
    for (const b of booked) entry(b.resource_id, b.resource_type, b.resource_name, b.plan).uc += Number(b.amount);
    for (const s of unbooked) if (s.start >= start) entry(s.resourceId, s.resourceType, s.name, s.plan).uc += s.amountUc;
    // The burn rate is what the resources cost now, as they are billed now; the forecast adds it up to the month's end.
    let burnPerSecond = 0;
    let restOfMonthUc = 0;
    for (const c of current) {
      const meter = billedAs(c.resourceType, c.phase);
      const r = entry(c.resourceId, c.resourceType, c.name, c.plan);
      r.billedAs = meter ?? null;
      const kind = METER_KINDS[c.resourceType]!;
      const quantity = c.quantity ?? 1;
      if (kind.unit === 'GB') r.sizeGb = Math.round((quantity / kind.unitDivisor) * 100) / 100;
      const price = meter ? priceAt(prices(c.plan), now) : null;
      if (!meter || !price) continue;
      const uc = unitPriceUc(price, meter);
      // A resource at its monthly cap costs nothing more this month; one below it, at most what is left of it.
      const capLeft = price.capUc === null ? Number.POSITIVE_INFINITY : Math.max(0, price.capUc - r.uc);
      if (capLeft > 0) burnPerSecond += (uc * quantity) / kind.unitDivisor / SECONDS_PER[price.per];
      restOfMonthUc += Math.min(capLeft, rate(Math.floor((end - now) / 1000), uc, price.per, quantity, kind.unitDivisor));
    }
    const resources = [...byResource.values()].map(({ uc, ...r }) => ({ ...r, plan: productKind(r.plan) ?? r.plan, spent: amountOf(uc) }));
    const spentUc = [...byResource.values()].reduce((a, r) => a + r.uc, 0);
    // Prices and charges are net; the VAT of usage not invoiced yet is owed already and is taken from
    // the credit when the invoice is issued, so the credit left and its end count it now.
    const rateBp = (await d.vatRateBp?.(db, tenantId)) ?? 0;
    const accruedUc = rateBp > 0 ? vatOf(spentUc + (await uninvoicedBefore(db, tenantId, start)), rateBp) : 0;
    const balanceUc = (await d.ledger.balance(db, tenantId)) - unbooked.reduce((a, s) => a + s.amountUc, 0) - accruedUc;
    const grossBurn = (burnPerSecond * (10_000 + rateBp)) / 10_000;
    const runsOut = grossBurn > 0 ? now + Math.max(0, Math.floor((balanceUc / grossBurn) * 1000)) : null;
    return {
      tenantId,
      at: iso(now)!,
      balance: amountOf(balanceUc),
      vat: { rate: (rateBp / 100).toFixed(2), accrued: amountOf(accruedUc) },
      month: { start: iso(start)!, end: iso(end)! },
      spent: amountOf(spentUc),
      resources,
      burnRatePerHour: amountOf(Math.round(burnPerSecond * 3600)),
      forecast: amountOf(spentUc + restOfMonthUc),
      creditRunsOutAt: iso(runsOut),
    };
  }
}

/** The VAT at a rate in basis points on a net amount in micro-cents, rounded half up (exact in BigInt). */
const vatOf = (netUc: number, rateBp: number) => Number((BigInt(netUc) * BigInt(rateBp) * 2n + 10_000n) / 20_000n);

/** The previous month's usage of a tenant while that month has no invoice yet (it is issued an hour after the month's end). */
async function uninvoicedBefore(db: Kysely<Database>, tenantId: string, start: number): Promise<number> {
  const prev = monthStart(start - 1);
  const issued = await db.selectFrom('invoices').select('id').where('period_key', '=', `${tenantId}:${new Date(prev).toISOString().slice(0, 7)}`).executeTakeFirst();
  if (issued) return 0;
  const row = await db.selectFrom('usage_records').select((eb) => eb.fn.sum<number | string | null>('amount_uc').as('s')).where('tenant_id', '=', tenantId).where('start_at', '>=', prev).where('start_at', '<', start).executeTakeFirst();
  return Number(row?.s ?? 0);
}

const entries = (db: Kysely<Database>) =>
  db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
    .select(['e.id', 'e.transaction_id', 'e.amount_uc', 'e.at', 't.kind', 't.reference', 't.description']);

function toEntry(r: { id: string; transaction_id: string; amount_uc: number; at: number; kind: LedgerEntry['kind']; reference: string; description: string }): LedgerEntry {
  return { id: r.id, transactionId: r.transaction_id, kind: r.kind, reference: r.reference, description: r.description, amount: amountOf(Number(r.amount_uc)), at: iso(r.at)! };
}

/** The billing service. */
export type Billing = ReturnType<typeof createBilling>;
