import type { InvoiceLinesTable } from '../../../store/schema-invoicing.ts';
import { METER_KINDS, productKind } from '../meter-kinds.ts';
import { SECONDS_PER, toCents, UC_PER_CENT } from '../money.ts';
import { taxCents, type VatTreatment } from './vat.ts';

/** The usage of one resource at one price in the period, summed exactly. */
export interface UsageGroup {
  resourceId: string;
  resourceType: string;
  name: string;
  plan: string;
  meter: string;
  priceId: string | null;
  /** Units billed per second: bytes for storage, 1 for a server or address. */
  quantity: number;
  /** When the group's first usage began: lines at one resource follow the price changes in time. */
  firstAt: number;
  seconds: number;
  amountUc: number;
}

/** A price as a line shows it: micro-cents per `unitSeconds`. */
export interface UnitPrice {
  uc: number;
  unitSeconds: number;
}

/** Totals of an invoice in whole cents. */
export interface Totals {
  netCents: number;
  taxCents: number;
  grossCents: number;
}

const METER_WORDS: Record<string, string> = { running: 'running / laufend', stopped: 'stopped / gestoppt', held: 'held / belegt', traffic: 'traffic / Datenverkehr' };

/** A line's words: the resource, its plan or product, as what it was billed (and, for storage, its size and time). */
function describeLine(g: UsageGroup): string {
  const product = productKind(g.plan) ?? g.plan;
  const kind = METER_KINDS[g.resourceType];
  if (g.resourceType === 'traffic') return `traffic of server ${g.name} beyond the plan's included amount / Datenverkehr über dem Inklusivvolumen, ${(g.quantity / 1e9).toFixed(3)} GB`;
  if (kind?.unit !== 'GB') return `${g.resourceType} ${g.name} (${product}), ${METER_WORDS[g.meter] ?? g.meter}`;
  return `${g.resourceType} ${g.name} (${product}), ${(g.quantity / kind.unitDivisor).toFixed(2)} GB × ${(g.seconds / 3600).toFixed(2)} h, ${METER_WORDS[g.meter] ?? g.meter}`;
}

/**
 * Turns a month's usage into invoice lines, one per resource and price, each rounded once to
 * the cent from its exact sum; a line whose usage cost nothing is left out.
 */
export function composeLines(groups: UsageGroup[], priceOf: (g: UsageGroup) => UnitPrice): Omit<InvoiceLinesTable, 'invoice_id'>[] {
  const sorted = [...groups].sort((a, b) => a.name.localeCompare(b.name) || a.resourceId.localeCompare(b.resourceId) || a.meter.localeCompare(b.meter) || a.firstAt - b.firstAt);
  const lines: Omit<InvoiceLinesTable, 'invoice_id'>[] = [];
  for (const g of sorted) {
    if (g.amountUc <= 0) continue;
    const price = priceOf(g);
    // A line charged less than its seconds at its price reached the price's monthly cap: it says so,
    // since quantity times price no longer gives its amount.
    const uncapped = price.unitSeconds > 0 ? Math.floor((g.seconds * price.uc) / price.unitSeconds) : 0;
    const capped = uncapped - g.amountUc > g.seconds;
    lines.push({
      position: lines.length + 1,
      description: capped ? `${describeLine(g)}, monthly cap reached / Monatsdeckel erreicht` : describeLine(g),
      resource_id: g.resourceId,
      plan: g.plan,
      meter: g.meter,
      price_id: g.priceId,
      seconds: g.seconds,
      unit_price_uc: price.uc,
      unit_seconds: price.unitSeconds,
      amount_uc: g.amountUc,
      net_cents: toCents(g.amountUc),
    });
  }
  return lines;
}

/** The totals of lines under one VAT treatment: net is the sum of the rounded lines, VAT is on that sum. */
export function totalsOf(lines: { net_cents: number }[], vat: VatTreatment): Totals {
  const netCents = lines.reduce((a, l) => a + Number(l.net_cents), 0);
  const tax = taxCents(netCents, vat.rateBp);
  return { netCents, taxCents: tax, grossCents: netCents + tax };
}

/**
 * The unit price of a price row for a meter, or of a plan's own hourly price (in cents). Storage is
 * priced per GB and time, which a line's seconds cannot carry: its line shows the amount only
 * (unit seconds 0), with the size and hours in its words.
 */
export function unitPrice(meter: string, row: { running_uc: number; stopped_uc: number; per: 'hour' | 'month' } | null, planHourCents: number, resourceType = 'server'): UnitPrice {
  if (METER_KINDS[resourceType]?.unit === 'GB' || resourceType === 'traffic') return { uc: Number(row?.running_uc ?? 0), unitSeconds: 0 };
  if (!row) return { uc: meter === 'running' ? planHourCents * UC_PER_CENT : 0, unitSeconds: SECONDS_PER.hour };
  return { uc: Number(meter === 'stopped' ? row.stopped_uc : row.running_uc), unitSeconds: SECONDS_PER[row.per] };
}
