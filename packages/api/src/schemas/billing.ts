/** Wire schemas of billing: prices, the ledger and the cost monitor. */
import { type Static, Type } from '@sinclair/typebox';

const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9a-z]{20,32}$`, description: `${prefix}_… id` });
const Timestamp = Type.String({ format: 'date-time' });

/** A euro amount as an exact decimal string with up to eight places (1 µct = 0.00000001 EUR). */
export const Euro = Type.String({ pattern: '^-?[0-9]{1,9}(\\.[0-9]{1,8})?$', description: 'euro amount as a decimal string, e.g. "12.50" or "0.0042"' });
/** An exact amount of money: the decimal value and the same rounded to whole cents. */
export const Amount = Type.Object({ amount: Euro, cents: Type.Integer(), currency: Type.Literal('EUR') });
export type Amount = Static<typeof Amount>;

/**
 * What a price is for: servers of a plan (running and stopped), or a product charged while held:
 * volumes and snapshots per GB, public IPv4 and IPv6 addresses each.
 */
export const PriceKind = Type.Union([Type.Literal('server'), Type.Literal('volume'), Type.Literal('snapshot'), Type.Literal('public-ipv4'), Type.Literal('public-ipv6'), Type.Literal('backup'), Type.Literal('traffic')]);
export type PriceKind = Static<typeof PriceKind>;

/** A price from a time on: per hour or per (730-hour) month, charged by the second. */
export const Price = Type.Object(
  {
    id: Id('prc'),
    kind: PriceKind,
    /** The plan of a server price; null for the products. */
    plan: Type.Union([Type.String(), Type.Null()]),
    per: Type.Union([Type.Literal('hour'), Type.Literal('month')]),
    running: Euro,
    stopped: Euro,
    currency: Type.Literal('EUR'),
    effectiveFrom: Timestamp,
    createdAt: Timestamp,
    /** The most one resource is charged in a calendar month under this price (as hosters cap an hourly price at a monthly one); null for no cap. */
    monthlyCap: Type.Union([Euro, Type.Null()]),
  },
  { $id: 'Price' },
);
export type Price = Static<typeof Price>;

/**
 * A new price (operators); it takes effect at `effectiveFrom` (now by default), never earlier.
 * A server price names its plan; a product's `running` is its price per GB (volumes, snapshots)
 * or per address (public IPs), and it has no `stopped`.
 */
export const CreatePrice = Type.Object(
  {
    kind: Type.Optional(PriceKind),
    plan: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    per: Type.Union([Type.Literal('hour'), Type.Literal('month')]),
    running: Euro,
    stopped: Type.Optional(Euro),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    effectiveFrom: Type.Optional(Timestamp),
    /** The most one resource is charged in a calendar month while this price is in force; no cap when left out. */
    monthlyCap: Type.Optional(Euro),
  },
  { additionalProperties: false },
);
export type CreatePrice = Static<typeof CreatePrice>;

/** A booking an operator makes: a top-up received, a refund or a goodwill credit. */
export const CreateLedgerTransaction = Type.Object(
  {
    tenantId: Id('ten'),
    kind: Type.Union([Type.Literal('topup'), Type.Literal('refund'), Type.Literal('goodwill')]),
    amount: Euro,
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    reference: Type.String({ minLength: 1, maxLength: 140, description: 'payment reference; unique per kind' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type CreateLedgerTransaction = Static<typeof CreateLedgerTransaction>;

/** One line of a tenant's credit account, with the balance after it. */
export const LedgerEntry = Type.Object(
  {
    id: Id('len'),
    transactionId: Id('ltx'),
    /** `vat`: an issued invoice's VAT taken from the credit; `vat_refund`: a credit note's VAT given back. */
    kind: Type.Union([Type.Literal('topup'), Type.Literal('charge'), Type.Literal('refund'), Type.Literal('goodwill'), Type.Literal('vat'), Type.Literal('vat_refund')]),
    reference: Type.String(),
    description: Type.String(),
    amount: Amount,
    at: Timestamp,
  },
  { $id: 'LedgerEntry' },
);
export type LedgerEntry = Static<typeof LedgerEntry>;

/** Which tenant a billing view is about; operators may name any, others see their own. */
export const BillingQuery = Type.Object({ tenantId: Type.Optional(Id('ten')) });
export type BillingQuery = Static<typeof BillingQuery>;

/** The cost monitor: credit, what this month has cost so far and what it will cost. */
export const BillingSummary = Type.Object(
  {
    tenantId: Id('ten'),
    at: Timestamp,
    /** The credit left: the ledger's balance less usage not booked yet and the VAT owed on usage not invoiced yet. */
    balance: Amount,
    /** The VAT the tenant's invoices carry (prices are net; top-ups are advance payments without VAT). */
    vat: Type.Object({ rate: Type.String({ description: 'percent, e.g. "19.00"; "0.00" under reverse charge or outside the EU' }), accrued: Amount }),
    month: Type.Object({ start: Timestamp, end: Timestamp }),
    spent: Amount,
    resources: Type.Array(
      Type.Object({
        resourceId: Type.String(),
        resourceType: Type.String({ description: 'server, volume, snapshot or public-ip' }),
        name: Type.String(),
        /** A server's plan, or the product a resource of another kind is priced as (volume, snapshot, public-ipv4, public-ipv6). */
        plan: Type.String(),
        billedAs: Type.Union([Type.Literal('running'), Type.Literal('stopped'), Type.Literal('held'), Type.Null()]),
        /** GB billed now, for volumes and snapshots. */
        sizeGb: Type.Optional(Type.Number()),
        spent: Amount,
      }),
    ),
    burnRatePerHour: Amount,
    forecast: Amount,
    creditRunsOutAt: Type.Union([Timestamp, Type.Null()], { description: 'null when nothing is being charged' }),
  },
  { $id: 'BillingSummary' },
);
export type BillingSummary = Static<typeof BillingSummary>;

/** What a quota limits, each as a count or size. */
const QuotaFields = {
  servers: Type.Integer({ minimum: 0, description: 'servers' }),
  vcpus: Type.Integer({ minimum: 0, description: 'vCPUs of all servers' }),
  memoryMb: Type.Integer({ minimum: 0, description: 'MB of memory of all servers' }),
  diskGb: Type.Integer({ minimum: 0, description: 'GB of root disk of all servers' }),
  volumes: Type.Integer({ minimum: 0, description: 'volumes' }),
  volumeGb: Type.Integer({ minimum: 0, description: 'GB of all volumes' }),
  publicIps: Type.Integer({ minimum: 0, description: 'public IP addresses' }),
};
/** The limits of a tenant, or its use of each. */
export const QuotaValues = Type.Object(QuotaFields, { $id: 'QuotaValues' });
export type QuotaValues = Static<typeof QuotaValues>;
/** A tenant's quotas: its limits and what it uses of each. */
export const Quotas = Type.Object({ tenantId: Id('ten'), limits: QuotaValues, used: QuotaValues }, { $id: 'Quotas' });
export type Quotas = Static<typeof Quotas>;
/** New limits for a tenant (operators); fields left out keep their value, null returns to the default. */
export const UpdateQuotas = Type.Partial(
  Type.Object({
    servers: Type.Union([QuotaFields.servers, Type.Null()]),
    vcpus: Type.Union([QuotaFields.vcpus, Type.Null()]),
    memoryMb: Type.Union([QuotaFields.memoryMb, Type.Null()]),
    diskGb: Type.Union([QuotaFields.diskGb, Type.Null()]),
    volumes: Type.Union([QuotaFields.volumes, Type.Null()]),
    volumeGb: Type.Union([QuotaFields.volumeGb, Type.Null()]),
    publicIps: Type.Union([QuotaFields.publicIps, Type.Null()]),
  }),
  { additionalProperties: false },
);
export type UpdateQuotas = Static<typeof UpdateQuotas>;

/** Where a tenant stands in dunning. */
export const DunningState = Type.Union([Type.Literal('good'), Type.Literal('warned'), Type.Literal('suspended'), Type.Literal('closed')]);
export type DunningState = Static<typeof DunningState>;
/** A tenant's dunning standing, for its own view and the operator's list. */
export const TenantStanding = Type.Object(
  {
    tenantId: Id('ten'),
    tenantName: Type.String(),
    state: DunningState,
    suspendedAt: Type.Union([Timestamp, Type.Null()]),
    deletionAt: Type.Union([Timestamp, Type.Null()], { description: 'when a suspended tenant’s resources are deleted' }),
    balance: Amount,
    paymentReference: Type.String({ description: 'the reference to put on a bank transfer so it is booked to this tenant' }),
  },
  { $id: 'TenantStanding' },
);
export type TenantStanding = Static<typeof TenantStanding>;
/** An in-app notice: a credit warning, a suspension, a final warning, a resumption. */
export const Notice = Type.Object(
  {
    id: Id('ntc'),
    kind: Type.Union([Type.Literal('credit-low'), Type.Literal('suspended'), Type.Literal('final-warning'), Type.Literal('resumed'), Type.Literal('deleted'), Type.Literal('backup-failed'), Type.Literal('backup-verification-failed')]),
    message: Type.String({ description: "in the caller's language" }),
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
    createdAt: Timestamp,
  },
  { $id: 'Notice' },
);
export type Notice = Static<typeof Notice>;
