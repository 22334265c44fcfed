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

/** An amount in any currency a bank reports (the booked ones are EUR). */
const BankAmount = Type.Object({ amount: Type.String(), cents: Type.Integer(), currency: Type.String() });

/** One incoming transfer of an imported bank statement: booked to a tenant, or waiting for the operator. */
export const BankLine = Type.Object(
  {
    id: Id('bkl'),
    bankReference: Type.String(),
    statementId: Type.String(),
    bookedOn: Type.String(),
    amount: BankAmount,
    debtor: Type.String(),
    remittance: Type.String(),
    tenantId: Type.Union([Id('ten'), Type.Null()]),
    transactionId: Type.Union([Id('ltx'), Type.Null()]),
  },
  { $id: 'BankLine' },
);
export type BankLine = Static<typeof BankLine>;

/** A bank statement to import: the ISO 20022 camt.053 XML as the bank exported it. */
export const ImportStatement = Type.Object({ xml: Type.String({ minLength: 1, maxLength: 1_000_000 }) }, { additionalProperties: false });
export type ImportStatement = Static<typeof ImportStatement>;

/** What an import did: lines booked, lines left for the operator, bank references seen before, entries ignored (debits, pending). */
export const StatementImport = Type.Object({
  statementId: Type.String(),
  booked: Type.Array(BankLine),
  unmatched: Type.Array(BankLine),
  duplicates: Type.Array(Type.String()),
  ignored: Type.Integer(),
});
export type StatementImport = Static<typeof StatementImport>;

/** Which bank lines to list: those waiting (default) or all. */
export const BankLineQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('unmatched'), Type.Literal('all')])) });
export type BankLineQuery = Static<typeof BankLineQuery>;

/** Book an unmatched bank line to a tenant by hand. */
export const BookBankLine = Type.Object({ tenantId: Id('ten') }, { additionalProperties: false });
export type BookBankLine = Static<typeof BookBankLine>;

/** A tenant's SEPA direct-debit mandate. */
export const Mandate = Type.Object(
  {
    tenantId: Id('ten'),
    mandateId: Type.String(),
    signedOn: Type.String({ description: 'YYYY-MM-DD' }),
    iban: Type.String(),
    bic: Type.Union([Type.String(), Type.Null()]),
    holder: Type.String(),
    amount: Amount,
    lastCollectedOn: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Mandate' },
);
export type Mandate = Static<typeof Mandate>;

/** A mandate to record: the tenant's IBAN, the mandate's id and signing date, and what one debit collects. */
export const SetMandate = Type.Object(
  {
    tenantId: Type.Optional(Id('ten')),
    mandateId: Type.String({ minLength: 1, maxLength: 35 }),
    signedOn: Type.String({ minLength: 10, maxLength: 10, description: 'YYYY-MM-DD' }),
    iban: Type.String({ minLength: 5, maxLength: 42 }),
    bic: Type.Optional(Type.Union([Type.String({ maxLength: 11 }), Type.Null()])),
    holder: Type.String({ minLength: 1, maxLength: 70 }),
    amount: Euro,
  },
  { additionalProperties: false },
);
export type SetMandate = Static<typeof SetMandate>;

/** Export the debits due (operators), collected on a date (two days ahead by default). */
export const ExportDebits = Type.Object({ collectionDate: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' })) }, { additionalProperties: false });
export type ExportDebits = Static<typeof ExportDebits>;

/** The exported debits: how many, their sum, and the pain.008.001.02 file (null when none is due). */
export const DebitExport = Type.Object({ messageId: Type.String(), collectionDate: Type.String(), count: Type.Integer(), total: Amount, xml: Type.Union([Type.String(), Type.Null()]) });
export type DebitExport = Static<typeof DebitExport>;
