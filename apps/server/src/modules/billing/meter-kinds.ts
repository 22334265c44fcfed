/**
 * The kinds of resource the meter counts, each with what its phases are billed as, how its
 * quantity is measured and which product of the price list prices it. A new kind plugs in here
 * and calls `Metering.record` from the transactions that commit its lifecycle.
 */

/** What a stretch of a resource's life is billed as: a server's running or stopped price, or "held" for everything else. */
export type BilledAs = 'running' | 'stopped' | 'held';

/** One meter kind. */
export interface MeterKind {
  /** Its phases that cost money, and as what; every other phase is free (creation, failure, deletion). */
  billedAs: Record<string, BilledAs | undefined>;
  /** What one unit of quantity is, to the price's "per unit": a GiB of storage, or one thing. */
  unitDivisor: number;
  /** The unit as invoices and the dashboard name it. */
  unit: 'server' | 'GB' | 'address';
}

/** Bytes in the GB that prices are per (GiB: volume sizes are GiB on the disk). */
export const GIB = 1024 ** 3;

/** Every meter kind by its resource type. */
export const METER_KINDS: Record<string, MeterKind> = {
  server: { billedAs: { Running: 'running', Stopped: 'stopped' }, unitDivisor: 1, unit: 'server' },
  volume: { billedAs: { Available: 'held', Attached: 'held' }, unitDivisor: GIB, unit: 'GB' },
  snapshot: { billedAs: { Ready: 'held', RollingBack: 'held' }, unitDivisor: GIB, unit: 'GB' },
  'public-ip': { billedAs: { Held: 'held' }, unitDivisor: 1, unit: 'address' },
  // A backup exists for the tenant from when its copy is taken (verifying, ready, being restored from) until deletion is asked for.
  backup: { billedAs: { Verifying: 'held', Ready: 'held', Restoring: 'held' }, unitDivisor: GIB, unit: 'GB' },
};

/** The products of the price list besides server plans, as the API names them. */
export const PRODUCT_KINDS = ['volume', 'snapshot', 'backup', 'public-ipv4', 'public-ipv6', 'traffic'] as const;
/** A product of the price list besides server plans. */
export type ProductKind = (typeof PRODUCT_KINDS)[number];

/** The price list key of a product: `@volume` …; the @ keeps them apart from plan names. */
export const productKey = (kind: ProductKind) => `@${kind}`;

/** The product kind of a price list key, or null for a server plan. */
export function productKind(key: string): ProductKind | null {
  const k = key.startsWith('@') ? key.slice(1) : null;
  return k && (PRODUCT_KINDS as readonly string[]).includes(k) ? (k as ProductKind) : null;
}

/** What a phase of a resource of this type is billed as (undefined: free). */
export const billedAs = (type: string, phase: string): BilledAs | undefined => METER_KINDS[type]?.billedAs[phase];

/** A lifecycle change of a metered resource other than a server, committed with its status. */
export interface LifecycleChange {
  resourceId: string;
  /** A key of METER_KINDS other than server. */
  kind: string;
  tenantId: string;
  name: string;
  /** The price list key (`productKey(…)`). */
  product: string;
  /** Units billed per second: bytes for storage, 1 for an address. */
  quantity: number;
  /** The kind's phase, or `Deleted` once the resource is gone. */
  phase: string;
  at: number;
}
