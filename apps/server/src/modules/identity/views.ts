/** How identity rows look on the wire. */
import type { Tenant, User } from '@kumulus/api';
import { iso } from '../../lib/clock.ts';
import type { TenantsTable, UsersTable } from '../../store/schema.ts';

/** A tenant row as the API shows it. */
export const toTenant = (t: TenantsTable): Tenant => ({ id: t.id, name: t.name, createdAt: iso(t.created_at)! });

/** A user row as the API shows it (never its password hash). */
export const toUser = (u: UsersTable): User => ({
  id: u.id,
  tenantId: u.tenant_id,
  email: u.email,
  name: u.name,
  role: u.role,
  createdAt: iso(u.created_at)!,
});
