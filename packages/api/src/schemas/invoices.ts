/** Wire schemas of invoicing and paying in: billing profiles, invoices, credit notes, bank statements, SEPA. */
import { type Static, Type } from '@sinclair/typebox';
import { Amount, Euro } from './billing.ts';

const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9a-z]{20,32}$`, description: `${prefix}_… id` });
const Timestamp = Type.String({ format: 'date-time' });
const Country = Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2 country code' });

/** A tenant's billing address and VAT status; the country decides the VAT. */
export const BillingProfile = Type.Object(
  {
    tenantId: Id('ten'),
    paymentReference: Type.String({ description: 'ISO 11649 creditor reference (RF…) to quote on every transfer' }),
    name: Type.String(),
    street: Type.String(),
    postcode: Type.String(),
    city: Type.String(),
    country: Country,
    vatId: Type.Union([Type.String(), Type.Null()]),
    business: Type.Boolean(),
    email: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'BillingProfile' },
);
export type BillingProfile = Static<typeof BillingProfile>;

/** A billing profile to set (the tenant's admins, or operators for any tenant). */
export const SetBillingProfile = Type.Object(
  {
    tenantId: Type.Optional(Id('ten')),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    street: Type.String({ minLength: 1, maxLength: 200 }),
    postcode: Type.String({ minLength: 1, maxLength: 20 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    country: Type.String({ minLength: 1, maxLength: 3 }),
    vatId: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    business: Type.Boolean(),
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type SetBillingProfile = Static<typeof SetBillingProfile>;

/** One line of an invoice: a resource at one price, rounded once to the cent. */
export const InvoiceLine = Type.Object({
  position: Type.Integer(),
  description: Type.String(),
  resourceId: Type.Union([Type.String(), Type.Null()]),
  seconds: Type.Integer(),
  unitPrice: Type.Union([Euro, Type.Null()]),
  unitSeconds: Type.Integer(),
  exact: Euro,
  net: Amount,
});
export type InvoiceLine = Static<typeof InvoiceLine>;

/** An issued invoice or credit note; never changed once issued. */
export const Invoice = Type.Object(
  {
    id: Id('inv'),
    number: Type.String(),
    kind: Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')]),
    tenantId: Id('ten'),
    periodStart: Timestamp,
    periodEnd: Timestamp,
    issuedAt: Timestamp,
    correctsId: Type.Union([Id('inv'), Type.Null()]),
    buyer: Type.Object({ name: Type.String(), country: Country, vatId: Type.Union([Type.String(), Type.Null()]), paymentReference: Type.String() }),
    vat: Type.Object({ category: Type.Union([Type.Literal('S'), Type.Literal('AE'), Type.Literal('O')]), ratePercent: Type.String(), note: Type.Union([Type.String(), Type.Null()]) }),
    net: Amount,
    tax: Amount,
    gross: Amount,
    note: Type.Union([Type.String(), Type.Null()]),
    lines: Type.Optional(Type.Array(InvoiceLine)),
  },
  { $id: 'Invoice' },
);
export type Invoice = Static<typeof Invoice>;

/** Which invoices to list: operators may name a tenant. */
export const InvoiceQuery = Type.Object({ tenantId: Type.Optional(Id('ten')) });
export type InvoiceQuery = Static<typeof InvoiceQuery>;

/** Issue the invoices of a month that has ended (operators): every tenant's, or one tenant's. */
export const IssueInvoices = Type.Object(
  { month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }), tenantId: Type.Optional(Id('ten')) },
  { additionalProperties: false },
);
export type IssueInvoices = Static<typeof IssueInvoices>;

/** A credit note against an invoice (operators): the whole invoice, or a net amount of it. */
export const CreateCreditNote = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 300 }), amount: Type.Optional(Euro), currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })) },
  { additionalProperties: false },
);
export type CreateCreditNote = Static<typeof CreateCreditNote>;
