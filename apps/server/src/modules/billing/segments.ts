import { type BilledAs, billedAs, METER_KINDS } from './meter-kinds.ts';
import { rate, type SECONDS_PER } from './money.ts';

/** One committed phase change of a resource, as a phase log holds it. */
export interface PhaseEntry {
  phase: string;
  /** The price list key: a server's plan, or a product key (`@volume` …). */
  plan: string;
  name: string;
  at: number;
  /** The meter kind (meter-kinds.ts); a server when left out. */
  kind?: string;
  /** Units billed per second (bytes for storage); 1 when left out. */
  quantity?: number;
}

/** A price of a plan from its effective time on; id null for the plan's own hourly price. */
export interface PricePoint {
  id: string | null;
  effectiveFrom: number;
  runningUc: number;
  stoppedUc: number;
  per: keyof typeof SECONDS_PER;
  /** The most one resource is charged in a calendar month while this price is in force (µc), or null. */
  capUc: number | null;
}

/** A rated stretch of usage: one meter, one price, one calendar month. */
export interface UsageSlice {
  start: number;
  end: number;
  seconds: number;
  meter: BilledAs;
  plan: string;
  name: string;
  priceId: string | null;
  amountUc: number;
  /** Units billed per second (bytes for storage, 1 otherwise). */
  quantity: number;
}

/**
 * What each server phase is billed as. Provisioning, Failed and Deleting are free, so a server whose
 * creation failed is never charged, and a server is charged only once it exists for the tenant.
 */
export const BILLED_AS: Record<string, 'running' | 'stopped' | undefined> = { Running: 'running', Stopped: 'stopped' };

/** What one second of this price costs per unit in this meter: the running or stopped price, or the one price of a held resource. */
export const unitPriceUc = (p: PricePoint, meter: BilledAs) => (meter === 'stopped' ? p.stoppedUc : p.runningUc);

/** Whole seconds: usage is counted to the second, and boundaries floored alike never overlap. */
export const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/** The first instant of the UTC calendar month after the one `ms` falls in. */
export function nextMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The first instant of the UTC calendar month `ms` falls in. */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The price in force at `at` (the latest effective at or before it), or null. */
export function priceAt(points: PricePoint[], at: number): PricePoint | null {
  let found: PricePoint | null = null;
  for (const p of points) if (p.effectiveFrom <= at && (!found || p.effectiveFrom >= found.effectiveFrom)) found = p;
  return found;
}

/**
 * Cuts the phase history into rated slices covering exactly [from, until): each slice has one
 * billed phase, one price, one quantity and lies in one calendar month. Pure, so the meter books it and the
 * cost monitor previews the part not booked yet with the very same arithmetic.
 *
 * `charged` holds what the resource was charged already in each month (by month start, µc) and is
 * moved on by every slice: a price with a monthly cap charges a slice only up to what is left of the
 * cap, so a month never costs a resource more than its cap, however the stretch is cut into passes.
 */
export function sliceUsage(log: PhaseEntry[], from: number, until: number, pricesOf: (plan: string) => PricePoint[], charged: Map<number, number> = new Map()): UsageSlice[] {
  const out: UsageSlice[] = [];
  for (let i = 0; i < log.length; i++) {
    const e = log[i]!;
    const kind = e.kind ?? 'server';
    const meter = billedAs(kind, e.phase);
    if (!meter) continue;
    const quantity = e.quantity ?? 1;
    const divisor = METER_KINDS[kind]!.unitDivisor;
    const start = Math.max(from, floorSecond(e.at));
    const end = Math.min(until, i + 1 < log.length ? floorSecond(log[i + 1]!.at) : until);
    if (end <= start) continue;
    const points = pricesOf(e.plan);
    // Cut points: month starts and price changes inside the stretch.
    const cuts = new Set<number>();
    for (let m = nextMonthStart(start); m < end; m = nextMonthStart(m)) cuts.add(m);
    for (const p of points) if (p.effectiveFrom > start && p.effectiveFrom < end) cuts.add(floorSecond(p.effectiveFrom));
    const bounds = [start, ...[...cuts].sort((a, b) => a - b), end];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const s = bounds[k]!;
      const t = bounds[k + 1]!;
      if (t <= s) continue;
      const price = priceAt(points, s);
      const seconds = (t - s) / 1000;
      let amountUc = price ? rate(seconds, unitPriceUc(price, meter), price.per, quantity, divisor) : 0;
      const month = monthStart(s);
      const before = charged.get(month) ?? 0;
      if (price?.capUc != null) amountUc = Math.max(0, Math.min(amountUc, price.capUc - before));
      charged.set(month, before + amountUc);
      out.push({ start: s, end: t, seconds, meter, plan: e.plan, name: e.name, priceId: price?.id ?? null, amountUc, quantity });
    }
  }
  return out;
}
