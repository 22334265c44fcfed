/**
 * The audit log, read: every change the API made (server life actions included: power, resize,
 * rebuild, password reset, protection, rename), newest last, filtered by target and action.
 */
import { AuditEntry, AuditQuery, Page } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { RouteDef } from '../../http/route.ts';
import { iso } from '../../lib/clock.ts';
import { paginate } from '../../lib/paging.ts';
import type { AuditLogTable, Database } from '../../store/schema.ts';
import { type Principal, requireRole } from '../identity/principal.ts';

const toEntry = (r: AuditLogTable): AuditEntry => ({
  id: r.id,
  at: iso(r.at)!,
  tenantId: r.tenant_id,
  actorId: r.actor_id,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  requestId: r.request_id,
  detail: JSON.parse(r.detail),
});

/** Lines of the caller's tenant; operators may ask for every tenant's (`all`) or one tenant's. */
export async function listAudit(db: Kysely<Database>, p: Principal, q: AuditQuery): Promise<Page<AuditEntry>> {
  const tenant = q.tenant ?? p.tenantId;
  if (tenant !== p.tenantId) requireRole(p, 'operator', { en: "read other tenants' audit log", de: 'das Audit-Log anderer Mandanten lesen' });
  let query = db.selectFrom('audit_log').selectAll();
  if (tenant !== 'all') query = query.where('tenant_id', '=', tenant);
  if (q.target !== undefined) query = query.where('target_id', '=', q.target);
  if (q.action !== undefined) query = q.action.endsWith('.*') ? query.where('action', 'like', `${q.action.slice(0, -1).replace(/[%_]/g, '')}%`) : query.where('action', '=', q.action);
  return paginate(query, 'id', q, toEntry, { sort: { at: 'at', action: 'action' } });
}

/** GET /audit. */
export function auditRoutes(db: Kysely<Database>): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/audit',
      summary: 'Read the audit log (tenant=all or tenant=<id> for operators)',
      tag: 'audit',
      query: AuditQuery,
      errors: ['FORBIDDEN'],
      responses: { 200: Page(AuditEntry) },
      handler: (req, _r, p) => listAudit(db, p, req.query as AuditQuery),
    },
  ];
}
