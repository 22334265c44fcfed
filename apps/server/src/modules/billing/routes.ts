import { BillingQuery, BillingSummary, CreateLedgerTransaction, CreatePrice, LedgerEntry, ListQuery, Page, Price } from '@kumulus/api';
import { Type } from '@sinclair/typebox';
import type { RouteDef } from '../../http/route.ts';
import type { Billing } from './service.ts';

/** Prices, the ledger and the cost monitor. */
export function billingRoutes(billing: Billing): RouteDef[] {
  return [
    { method: 'GET', url: '/prices', summary: 'List prices per plan and effective time', tag: 'billing', query: ListQuery, responses: { 200: Page(Price) }, handler: (req) => billing.listPrices(req.query as ListQuery) },
    {
      method: 'POST',
      url: '/prices',
      summary: "Set a plan's price from a time on (operators); never retroactive",
      tag: 'billing',
      body: CreatePrice,
      errors: ['FORBIDDEN', 'PLAN_NOT_FOUND', 'PRICE_IN_PAST', 'CURRENCY_MISMATCH', 'INVALID_AMOUNT', 'CONFLICT'],
      responses: { 201: Price },
      handler: async (req, reply, p) => reply.status(201).send(await billing.createPrice(p, req.body as CreatePrice, req.id)),
    },
    {
      method: 'GET',
      url: '/billing/ledger',
      summary: "A tenant's credit account line by line",
      tag: 'billing',
      query: Type.Composite([ListQuery, BillingQuery]),
      errors: ['NOT_FOUND'],
      responses: { 200: Page(LedgerEntry) },
      handler: (req, _r, p) => billing.ledger(p, req.query as ListQuery & BillingQuery),
    },
    {
      method: 'POST',
      url: '/billing/ledger',
      summary: 'Book a top-up, refund or goodwill credit (operators)',
      tag: 'billing',
      body: CreateLedgerTransaction,
      errors: ['FORBIDDEN', 'NOT_FOUND', 'DUPLICATE_REFERENCE', 'CURRENCY_MISMATCH', 'INVALID_AMOUNT'],
      responses: { 201: LedgerEntry },
      handler: async (req, reply, p) => reply.status(201).send(await billing.book(p, req.body as CreateLedgerTransaction, req.id)),
    },
    {
      method: 'GET',
      url: '/billing/summary',
      summary: 'Cost monitor: credit, spent this month, forecast and when the credit runs out',
      tag: 'billing',
      query: BillingQuery,
      errors: ['NOT_FOUND'],
      responses: { 200: BillingSummary },
      handler: (req, _r, p) => billing.summary(p, req.query as BillingQuery),
    },
  ];
}
