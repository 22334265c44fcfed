import { BillingQuery, Quotas as QuotasSchema, UpdateQuotas } from '@kumulus/api';
import { IdParam, idOf, type RouteDef } from '../../http/route.ts';
import type { Quotas } from './quotas.ts';

/** A tenant's quotas: the tenant reads them, operators set them. */
export function quotaRoutes(quotas: Quotas): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/quotas',
      summary: "The tenant's quota limits and what it uses of each",
      tag: 'billing',
      query: BillingQuery,
      errors: ['NOT_FOUND'],
      responses: { 200: QuotasSchema },
      handler: (req, _r, p) => quotas.get(p, req.query as BillingQuery),
    },
    {
      method: 'PUT',
      url: '/tenants/:id/quotas',
      summary: "Set a tenant's quota limits (operators); a limit below current use is refused",
      tag: 'billing',
      params: IdParam,
      body: UpdateQuotas,
      errors: ['FORBIDDEN', 'QUOTA_BELOW_USE'],
      responses: { 200: QuotasSchema },
      handler: (req, _r, p) => quotas.update(p, idOf(req), req.body as UpdateQuotas, req.id),
    },
  ];
}
