import { BankLine, BankLineQuery, BookBankLine, DebitExport, ExportDebits, ImportStatement, InvoiceQuery, ListQuery, Mandate, Page, SetMandate, StatementImport } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../../http/route.ts';
import type { Payments } from './service.ts';
import type { Sepa } from './sepa.ts';

/** Paying in: bank statements (CAMT.053), unmatched lines, SEPA mandates and the pain.008 export. */
export function paymentRoutes(payments: Payments, sepa: Sepa): RouteDef[] {
  return [
    {
      method: 'POST',
      url: '/billing/statements',
      summary: "Import the operator's bank statement (ISO 20022 camt.053): transfers quoting a payment reference are booked as top-ups (operators)",
      tag: 'billing',
      body: ImportStatement,
      errors: ['FORBIDDEN', 'NOT_CAMT053'],
      responses: { 200: StatementImport },
      handler: (req, _r, p) => payments.importStatement(p, req.body as ImportStatement, req.id),
    },
    {
      method: 'GET',
      url: '/billing/bank-lines',
      summary: 'Imported bank lines: those no tenant matched (default), or all (operators)',
      tag: 'billing',
      query: Type.Composite([ListQuery, BankLineQuery]),
      errors: ['FORBIDDEN'],
      responses: { 200: Page(BankLine) },
      handler: (req, _r, p) => payments.list(p, req.query as ListQuery & BankLineQuery),
    },
    {
      method: 'POST',
      url: '/billing/bank-lines/:id/book',
      summary: 'Book an unmatched bank line to a tenant by hand (operators)',
      tag: 'billing',
      params: IdParam,
      body: BookBankLine,
      errors: ['FORBIDDEN', 'BANK_LINE_NOT_FOUND', 'BANK_LINE_BOOKED', 'CURRENCY_MISMATCH', 'INVALID_AMOUNT', 'NOT_FOUND', 'DUPLICATE_REFERENCE'],
      responses: { 200: BankLine },
      handler: (req, _r, p) => payments.book(p, idOf(req), req.body as BookBankLine, req.id),
    },
    {
      method: 'GET',
      url: '/billing/mandate',
      summary: "A tenant's SEPA direct-debit mandate, or null",
      tag: 'billing',
      query: InvoiceQuery,
      errors: ['NOT_FOUND'],
      responses: { 200: Type.Union([Mandate, Type.Null()]) },
      handler: (req, _r, p) => sepa.get(p, req.query as InvoiceQuery),
    },
    {
      method: 'PUT',
      url: '/billing/mandate',
      summary: "Record a tenant's SEPA direct-debit mandate (its admins, or operators)",
      tag: 'billing',
      body: SetMandate,
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_IBAN', 'INVALID_MANDATE', 'INVALID_AMOUNT'],
      responses: { 200: Mandate },
      handler: (req, _r, p) => sepa.set(p, req.body as SetMandate, req.id),
    },
    {
      method: 'POST',
      url: '/billing/debits/export',
      summary: "Export the direct debits due as an ISO 20022 pain.008.001.02 file for the operator's bank (operators)",
      tag: 'billing',
      body: ExportDebits,
      errors: ['FORBIDDEN'],
      responses: { 200: DebitExport },
      handler: (req, _r, p) => sepa.exportDebits(p, req.body as ExportDebits, req.id),
    },
  ];
}
