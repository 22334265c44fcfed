/**
 * A tenant's security settings: whether every user of it must sign in with a second factor. Its admins set it for
 * their own tenant (having a second factor themselves first, so they cannot shut themselves out), operators for
 * any; another tenant's settings are not found.
 */
import type { TenantSecurity } from '@kumulus/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../../lib/clock.ts';
import { DomainError, notFound } from '../../lib/errors.ts';
import type { Database } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from './principal.ts';
import { REASON_TEXT, type SecondFactors } from './second-factors.ts';

/** Reading and setting tenants' security settings. */
export function createTenantSecurity({ db, clock, audit, factors }: { db: Kysely<Database>; clock: Clock; audit: Audit; factors: SecondFactors }) {
  async function visible(p: Principal, tenantId: string): Promise<void> {
    if (p.role !== 'operator' && p.tenantId !== tenantId) throw notFound('tenant', tenantId);
    if (!(await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst())) throw notFound('tenant', tenantId);
  }

  return {
    /** The tenant's settings. */
    async getTenantSecurity(p: Principal, tenantId: string): Promise<TenantSecurity> {
      await visible(p, tenantId);
      const row = await db.selectFrom('tenant_security').select('two_factor_required').where('tenant_id', '=', tenantId).executeTakeFirst();
      return { twoFactorRequired: !!row?.two_factor_required };
    },

    /** Sets the tenant's settings (its admins, operators). */
    async setTenantSecurity(p: Principal, tenantId: string, body: TenantSecurity, requestId: string): Promise<TenantSecurity> {
      await visible(p, tenantId);
      requireRole(p, 'admin', { en: "change the tenant's security settings", de: 'die Sicherheitseinstellungen des Mandanten ändern' });
      if (body.twoFactorRequired && p.tenantId === tenantId && !(await factors.enabled(p.userId))) {
        throw new DomainError('TWO_FACTOR_ENROLMENT_REQUIRED', { reason: REASON_TEXT.policy });
      }
      const values = { tenant_id: tenantId, two_factor_required: body.twoFactorRequired ? 1 : 0, updated_at: clock() };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tenant_security')
          .values(values)
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ two_factor_required: values.two_factor_required, updated_at: values.updated_at }))
          .execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'tenant.security', targetType: 'tenant', targetId: tenantId, detail: { twoFactorRequired: body.twoFactorRequired } });
      });
      return { twoFactorRequired: body.twoFactorRequired };
    },
  };
}
