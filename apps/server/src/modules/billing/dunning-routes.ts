import { BillingQuery, ListQuery, Notice, Page, TenantStanding } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { RouteDef } from '../../http/route.ts';
import { iso } from '../../lib/clock.ts';
import { DomainError } from '../../lib/errors.ts';
import { pickLanguage } from '../../lib/messages.ts';
import { pageInMemory, paginate } from '../../lib/paging.ts';
import type { Database } from '../../store/schema.ts';
import { type Principal, requireRole } from '../identity/principal.ts';
import { type Dunning, dunningPrincipal } from './dunning.ts';
import { paymentReference } from './payments/reference.ts';
import { type NoticeKind, noticeText } from './notify/texts.ts';
import type { Billing } from './service.ts';

/** A tenant's dunning standing, its in-app notices, and the operator's list of every tenant's. */
export function dunningRoutes(d: { db: Kysely<Database>; dunning: Dunning; billing: Pick<Billing, 'summary'> }): RouteDef[] {
  async function standing(tenantId: string): Promise<TenantStanding> {
    const tenant = await d.db.selectFrom('tenants').select(['id', 'name']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    const row = await d.dunning.state(tenantId);
    const summary = await d.billing.summary(dunningPrincipal(tenantId), {});
    const suspended = row.state === 'suspended';
    return { tenantId, tenantName: tenant.name, state: row.state, suspendedAt: iso(row.suspended_at), deletionAt: suspended ? iso(d.dunning.deletionAt(row)) : null, balance: summary.balance, paymentReference: paymentReference(tenantId) };
  }
  async function tenantOf(p: Principal, tenantId: string | undefined): Promise<string> {
    if (!tenantId || tenantId === p.tenantId) return p.tenantId;
    if (p.role !== 'operator' || !(await d.db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst())) throw new DomainError('NOT_FOUND', { kind: 'tenant', id: tenantId });
    return tenantId;
  }
  return [
    {
      method: 'GET',
      url: '/billing/standing',
      summary: "The tenant's dunning state (good, warned, suspended, closed), credit and payment reference",
      tag: 'billing',
      query: BillingQuery,
      errors: ['NOT_FOUND'],
      responses: { 200: TenantStanding },
      handler: async (req, _r, p) => standing(await tenantOf(p, (req.query as BillingQuery).tenantId)),
    },
    {
      method: 'GET',
      url: '/billing/standings',
      summary: "Every tenant's credit and dunning state (operators)",
      tag: 'billing',
      query: ListQuery,
      errors: ['FORBIDDEN'],
      responses: { 200: Page(TenantStanding) },
      handler: async (req, _r, p) => {
        requireRole(p, 'operator', { en: "see every tenant's credit", de: 'das Guthaben aller Mandanten sehen' });
        const tenants = await d.db.selectFrom('tenants').select('id').orderBy('name').execute();
        const items: TenantStanding[] = [];
        for (const t of tenants) items.push(await standing(t.id));
        return pageInMemory(items, req.query as ListQuery, { id: (s) => s.tenantId, created: (s) => s.tenantId, name: (s) => s.tenantName, state: (s) => s.state, balance: (s) => s.balance.cents });
      },
    },
    {
      method: 'GET',
      url: '/notices',
      summary: "The tenant's notices: credit warnings, suspension, final warning, resumption; newest first",
      tag: 'billing',
      query: ListQuery,
      responses: { 200: Page(Notice) },
      handler: (req, _r, p) => {
        const lang = pickLanguage(req.headers['accept-language']);
        const q = d.db.selectFrom('notices').selectAll().where('tenant_id', '=', p.tenantId);
        return paginate(q, 'id', { ...(req.query as ListQuery), order: 'desc' } as ListQuery, (n) => {
          const params = JSON.parse(n.params) as Record<string, string>;
          return { id: n.id, kind: n.kind as NoticeKind, message: noticeText(lang, n.kind as NoticeKind, params).body, params, createdAt: iso(n.created_at)! };
        });
      },
    },
  ];
}
