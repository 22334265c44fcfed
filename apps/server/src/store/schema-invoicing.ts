/** Row types of the invoicing and paying-in tables (migration 013). */

/** A tenant's billing address, VAT status and stable payment reference. */
export interface BillingProfilesTable {
  tenant_id: string;
  payment_reference: string;
  name: string;
  street: string;
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  vat_id: string | null;
  /** 1 for a business customer, 0 for a consumer. */
  business: number;
  email: string | null;
  updated_at: number;
}

/** The last number taken in a series (`INV-2026`, `CN-2026`). */
export interface InvoiceCountersTable {
  series: string;
  last: number;
}

/** An issued invoice or credit note; never updated nor deleted. */
export interface InvoicesTable {
  id: string;
  number: string;
  kind: 'invoice' | 'credit_note';
  tenant_id: string;
  period_key: string | null;
  period_start: number;
  period_end: number;
  issued_at: number;
  corrects_id: string | null;
  /** JSON snapshot of the buyer's profile as it was when issued. */
  buyer: string;
  /** JSON snapshot of the seller (the operator) as configured when issued. */
  seller: string;
  currency: string;
  /** EN 16931 VAT category code: S (standard), AE (reverse charge), O (not subject). */
  vat_category: string;
  /** VAT rate in basis points (1900 = 19 %). */
  vat_rate_bp: number;
  vat_note: string | null;
  net_cents: number;
  tax_cents: number;
  gross_cents: number;
  note: string | null;
  actor_id: string | null;
}

/** One line of an invoice: a resource at one price, rounded once to the cent. */
export interface InvoiceLinesTable {
  invoice_id: string;
  position: number;
  description: string;
  resource_id: string | null;
  plan: string | null;
  meter: string | null;
  price_id: string | null;
  seconds: number;
  /** The unit price in micro-cents per `unit_seconds`. */
  unit_price_uc: number;
  unit_seconds: number;
  /** The exact sum of the usage behind the line, in micro-cents. */
  amount_uc: number;
  net_cents: number;
}

/** One credit line of an imported bank statement, booked to a tenant or waiting for the operator. */
export interface BankLinesTable {
  id: string;
  bank_reference: string;
  statement_id: string;
  booked_on: string;
  amount_cents: number;
  currency: string;
  debtor: string;
  remittance: string;
  tenant_id: string | null;
  transaction_id: string | null;
  imported_at: number;
}

/** A tenant's SEPA direct-debit mandate. */
export interface SepaMandatesTable {
  tenant_id: string;
  mandate_id: string;
  signed_on: string;
  iban: string;
  bic: string | null;
  holder: string;
  /** What one debit collects, in cents. */
  amount_cents: number;
  last_collected_on: string | null;
  created_at: number;
}

/** The invoicing tables, part of the store's Database. */
export interface InvoicingTables {
  billing_profiles: BillingProfilesTable;
  invoice_counters: InvoiceCountersTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  bank_lines: BankLinesTable;
  sepa_mandates: SepaMandatesTable;
}
