import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Database, PricesTable } from '../../store/schema.ts';
import { productKey, type ProductKind } from './meter-kinds.ts';
import { CURRENCY, UC_PER_CENT } from './money.ts';
import type { PricePoint } from './segments.ts';

/** A price to set, in micro-cents per `per` (and per GB or address for the products), from `effectiveFrom` on. */
export interface NewPrice {
  /** A server plan's name, or null for a product of `kind`. */
  plan: string | null;
  /** What is priced: servers of `plan`, or one of the products (volumes, snapshots, public IPs). */
  kind: 'server' | ProductKind;
  runningUc: number;
  stoppedUc: number;
  per: PricesTable['per'];
  currency: string;
  /** When it takes effect; null for now (the earliest time allowed, taken where it is checked). */
  effectiveFrom: number | null;
  /** The most one resource is charged in a calendar month under this price (µc), or null for no cap. */
  capUc?: number | null;
}

const field = (name: string, en: string, de: string) => [{ field: name, message: { en, de } }];

/**
 * Prices per plan over time. A price takes effect at its effective time and never before:
 * it may not start in the past nor before usage already metered, so booked charges never change.
 * A plan without a price row is billed at its own hourly price while running, free while stopped.
 */
export function createPrices({ clock, ids }: { clock: Clock; ids: IdGenerator }) {
  return {
    /** Records a price after checking it cannot reach back in time; answers the row. */
    async create(trx: Kysely<Database>, p: NewPrice): Promise<PricesTable> {
      if (p.currency.toUpperCase() !== CURRENCY) {
        throw new DomainError('CURRENCY_MISMATCH', { currency: p.currency, expected: CURRENCY }, field('currency', `must be ${CURRENCY}`, `muss ${CURRENCY} sein`));
      }
      if (p.kind === 'server' && !p.plan) throw new DomainError('VALIDATION_FAILED', { summary: { en: 'a server price names its plan', de: 'ein Serverpreis nennt seinen Tarif' } }, field('plan', 'is required for servers', 'ist für Server erforderlich'));
      if (p.kind !== 'server' && (p.plan || p.stoppedUc)) {
        const name = p.plan ? 'plan' : 'stopped';
        throw new DomainError('VALIDATION_FAILED', { summary: { en: `${name} applies to server prices only`, de: `${name} gilt nur für Serverpreise` } }, field(name, `applies to servers only, not to ${p.kind}`, `gilt nur für Server, nicht für ${p.kind}`));
      }
      if (p.kind === 'server' && !(await trx.selectFrom('plans').select('id').where('name', '=', p.plan!).executeTakeFirst())) {
        throw new DomainError('PLAN_NOT_FOUND', { plan: p.plan! }, field('plan', 'unknown plan', 'unbekannter Tarif'));
      }
      // Products share the plans' price list under keys no plan name can take (`@volume` …).
      const key = p.kind === 'server' ? p.plan! : productKey(p.kind);
      const metered = await trx.selectFrom('meters').select((eb) => eb.fn.max<number | null>('metered_until').as('m')).executeTakeFirst();
      const earliest = Math.max(clock(), Number(metered?.m ?? 0));
      // Effective times are whole seconds, rounded up, since usage is counted in whole seconds. "Now"
      // is the earliest allowed time itself: a "now" read earlier by the caller has passed by here,
      // and was refused as lying in the past once a second boundary fell between the two readings.
      const effectiveFrom = Math.ceil((p.effectiveFrom ?? earliest) / 1000) * 1000;
      if (effectiveFrom < earliest) {
        throw new DomainError('PRICE_IN_PAST', { effectiveFrom: new Date(effectiveFrom).toISOString() }, field('effectiveFrom', 'lies in the past', 'liegt in der Vergangenheit'));
      }
      if (await trx.selectFrom('prices').select('id').where('plan', '=', key).where('effective_from', '=', effectiveFrom).executeTakeFirst()) {
        const what = p.kind === 'server' ? { en: `plan ${p.plan}`, de: `der Tarif ${p.plan}` } : { en: p.kind, de: p.kind };
        throw new DomainError('CONFLICT', { reason: { en: `${what.en} has a price from that time already`, de: `${what.de} hat ab diesem Zeitpunkt bereits einen Preis` } });
      }
      const row: PricesTable = {
        id: ids('prc'),
        plan: key,
        running_uc: p.runningUc,
        stopped_uc: p.stoppedUc,
        per: p.per,
        currency: CURRENCY,
        effective_from: effectiveFrom,
        created_at: clock(),
        cap_uc: p.capUc ?? null,
      };
      await trx.insertInto('prices').values(row).execute();
      return row;
    },

    /** Every price row, oldest effective first. */
    list(db: Kysely<Database>): Promise<PricesTable[]> {
      return db.selectFrom('prices').selectAll().orderBy('plan').orderBy('effective_from').execute();
    },

    /** The price timeline of every plan: the plan's hourly price from the start, then its price rows. */
    async timelines(db: Kysely<Database>): Promise<(plan: string) => PricePoint[]> {
      const plans = await db.selectFrom('plans').select(['name', 'price_hour_minor']).execute();
      const rows = await db.selectFrom('prices').selectAll().execute();
      const byPlan = new Map<string, PricePoint[]>();
      for (const p of plans) {
        byPlan.set(p.name, [{ id: null, effectiveFrom: 0, runningUc: Number(p.price_hour_minor) * UC_PER_CENT, stoppedUc: 0, per: 'hour', capUc: null }]);
      }
      for (const r of rows) {
        const list = byPlan.get(r.plan) ?? [];
        list.push({ id: r.id, effectiveFrom: Number(r.effective_from), runningUc: Number(r.running_uc), stoppedUc: Number(r.stopped_uc), per: r.per, capUc: r.cap_uc == null ? null : Number(r.cap_uc) });
        byPlan.set(r.plan, list);
      }
      return (plan) => byPlan.get(plan) ?? [];
    },
  };
}

/** The prices service. */
export type Prices = ReturnType<typeof createPrices>;
