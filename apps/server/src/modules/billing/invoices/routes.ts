import { BillingProfile, CreateCreditNote, Invoice, InvoiceQuery, IssueInvoices, ListQuery, Page, SetBillingProfile } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import { IdParam, idOf, type RouteDef } from '../../../http/route.ts';
import type { Invoicing } from './service.ts';

const download = (contentType: string) => Type.String({ description: `the document itself, as ${contentType}` });

/** Invoices and credit notes (JSON, PDF, e-invoice XML) and the billing profile that addresses them. */
export function invoiceRoutes(invoicing: Invoicing): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/billing/invoices',
      summary: "A tenant's invoices and credit notes",
      tag: 'billing',
      query: Type.Composite([ListQuery, InvoiceQuery]),
      errors: ['NOT_FOUND'],
      responses: { 200: Page(Invoice) },
      handler: (req, _r, p) => invoicing.list(p, req.query as ListQuery & InvoiceQuery),
    },
    {
      method: 'POST',
      url: '/billing/invoices',
      summary: 'Issue the invoices of an ended month, for every tenant or one (operators); issuing twice gives the same invoices',
      tag: 'billing',
      body: IssueInvoices,
      errors: ['FORBIDDEN', 'NOT_FOUND', 'PERIOD_NOT_ENDED', 'USAGE_NOT_SETTLED'],
      responses: { 200: Page(Invoice) },
      handler: (req, _r, p) => invoicing.issue(p, req.body as IssueInvoices, req.id),
    },
    { method: 'GET', url: '/billing/invoices/:id', summary: 'One invoice with its lines', tag: 'billing', params: IdParam, errors: ['INVOICE_NOT_FOUND'], responses: { 200: Invoice }, handler: (req, _r, p) => invoicing.get(p, idOf(req)) },
    {
      method: 'GET',
      url: '/billing/invoices/:id/pdf',
      summary: 'One invoice as PDF',
      tag: 'billing',
      params: IdParam,
      errors: ['INVOICE_NOT_FOUND'],
      responses: { 200: download('application/pdf') },
      handler: async (req, reply, p) => {
        const doc = await invoicing.pdf(p, idOf(req));
        return reply.type('application/pdf').header('content-disposition', `attachment; filename="${doc.name}"`).send(doc.body);
      },
    },
    {
      method: 'GET',
      url: '/billing/invoices/:id/xml',
      summary: 'One invoice as EN 16931 e-invoice (XRechnung / ZUGFeRD EN16931, UN/CEFACT CII XML)',
      tag: 'billing',
      params: IdParam,
      errors: ['INVOICE_NOT_FOUND'],
      responses: { 200: download('application/xml') },
      handler: async (req, reply, p) => {
        const doc = await invoicing.xml(p, idOf(req));
        return reply.type('application/xml; charset=utf-8').header('content-disposition', `attachment; filename="${doc.name}"`).send(doc.body);
      },
    },
    {
      method: 'POST',
      url: '/billing/invoices/:id/credit-notes',
      summary: 'Correct an invoice by a credit note, whole or for a net amount (operators); the credit goes back to the tenant',
      tag: 'billing',
      params: IdParam,
      body: CreateCreditNote,
      errors: ['FORBIDDEN', 'INVOICE_NOT_FOUND', 'INVALID_AMOUNT', 'CURRENCY_MISMATCH', 'CREDIT_EXCEEDS_INVOICE', 'DUPLICATE_REFERENCE'],
      responses: { 201: Invoice },
      handler: async (req, reply, p) => reply.status(201).send(await invoicing.creditNote(p, idOf(req), req.body as CreateCreditNote, req.id)),
    },
    {
      method: 'GET',
      url: '/billing/profile',
      summary: "A tenant's billing address, VAT status and payment reference",
      tag: 'billing',
      query: InvoiceQuery,
      errors: ['NOT_FOUND'],
      responses: { 200: BillingProfile },
      handler: (req, _r, p) => invoicing.profile(p, req.query as InvoiceQuery),
    },
    {
      method: 'PUT',
      url: '/billing/profile',
      summary: "Set a tenant's billing address, country and VAT id (its admins, or operators)",
      tag: 'billing',
      body: SetBillingProfile,
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_COUNTRY', 'INVALID_VAT_ID'],
      responses: { 200: BillingProfile },
      handler: (req, _r, p) => invoicing.setProfile(p, req.body as SetBillingProfile, req.id),
    },
  ];
}
