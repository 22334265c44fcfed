/**
 * What operators do to existing tenants: rename and delete. A tenant that still has servers
 * is not deleted: its servers are real containers with addresses and (later) bills, so they
 * go first, each through its own delete operation, and the 409 names them. What goes with the
 * tenant are its users (with their sessions, API tokens and second factors), SSH keys and finished operations;
 * the audit log keeps its entries.
 */
import type { Tenant } from '@kumulus/api';
import type { Kysely } from 'kysely';
import { iso } from '../../lib/clock.ts';
import { DomainError, notFound } from '../../lib/errors.ts';
import { lockFor } from '../../store/locks.ts';
import type { Database, TenantsTable } from '../../store/schema.ts';
import { actorOf, type Audit } from '../audit/service.ts';
import { type Principal, requireRole } from './principal.ts';

/** How many server names a TENANT_NOT_EMPTY message lists before it says "…". */
const NAMES_SHOWN = 5;

const toTenant = (t: TenantsTable): Tenant => ({ id: t.id, name: t.name, createdAt: iso(t.created_at)! });

async function tenantRow(trx: Kysely<Database>, id: string): Promise<TenantsTable> {
  const row = await trx.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('tenant', id);
  return row;
}

/** Renaming and deleting tenants (operators only). */
export function createTenantAdmin({ db, audit, dialect }: { db: Kysely<Database>; audit: Audit; dialect: 'sqlite' | 'postgres' }) {
  return {
    /** Gives a tenant a new, unused name. */
    async renameTenant(p: Principal, id: string, name: string, requestId: string): Promise<Tenant> {
      requireRole(p, 'operator', 'rename tenants');
      return db.transaction().execute(async (trx) => {
        const row = await tenantRow(trx, id);
        if (row.name === name) return toTenant(row);
        if (await trx.selectFrom('tenants').select('id').where('name', '=', name).executeTakeFirst()) {
          throw new DomainError('NAME_TAKEN', { kind: 'tenant', name }, [{ field: 'name', message: 'a tenant of this name exists' }]);
        }
        await trx.updateTable('tenants').set({ name }).where('id', '=', id).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'tenant.rename', targetType: 'tenant', targetId: id, detail: { from: row.name, to: name } });
        return toTenant({ ...row, name });
      });
    },

    /** Deletes a tenant without servers, with its users, tokens, sessions, keys and operations. */
    async deleteTenant(p: Principal, id: string, requestId: string): Promise<void> {
      requireRole(p, 'operator', 'delete tenants');
      await db.transaction().execute(async (trx) => {
        const row = await tenantRow(trx, id);
        // The operator's own tenant holds the operator's account: deleting it would lock them out.
        if (id === p.tenantId) throw new DomainError('TENANT_IS_OWN', { name: row.name });
        // The lock server creation takes: no server can appear between this check and the delete.
        await lockFor(trx, dialect, `servers:${id}`);
        const servers = await trx.selectFrom('servers').select('name').where('tenant_id', '=', id).orderBy('name').execute();
        if (servers.length > 0) {
          const names = servers.slice(0, NAMES_SHOWN).map((s) => s.name);
          if (servers.length > NAMES_SHOWN) names.push('…');
          throw new DomainError('TENANT_NOT_EMPTY', { name: row.name, count: servers.length, servers: names.join(', ') });
        }
        const users = trx.selectFrom('users').select('id').where('tenant_id', '=', id);
        await trx.deleteFrom('sessions').where('user_id', 'in', users).execute();
        for (const table of ['user_totp', 'recovery_codes', 'login_challenges', 'webauthn_credentials', 'webauthn_registrations'] as const) await trx.deleteFrom(table).where('user_id', 'in', users).execute();
        await trx.deleteFrom('tenant_security').where('tenant_id', '=', id).execute();
        await trx.deleteFrom('api_tokens').where('tenant_id', '=', id).execute();
        await trx.deleteFrom('ssh_keys').where('tenant_id', '=', id).execute();
        // Webhooks are settings like keys: they go with the tenant, their delivery logs with them.
        await trx.deleteFrom('webhook_deliveries').where('webhook_id', 'in', trx.selectFrom('webhooks').select('id').where('tenant_id', '=', id)).execute();
        await trx.deleteFrom('webhooks').where('tenant_id', '=', id).execute();
        await trx.deleteFrom('operations').where('tenant_id', '=', id).execute();
        await trx.deleteFrom('users').where('tenant_id', '=', id).execute();
        await trx.deleteFrom('tenants').where('id', '=', id).execute();
        await audit.record(trx, actorOf(p, requestId), { action: 'tenant.delete', targetType: 'tenant', targetId: id, detail: { name: row.name } });
      });
    },
  };
}
