import type { Role } from '@kumulus/api';
import { DomainError, type MessageParam } from '../../lib/errors.ts';

/** The authenticated caller of a request. */
export interface Principal {
  userId: string;
  tenantId: string;
  role: Role;
  email: string;
  /** How the caller proved who it is. */
  via: 'token' | 'session';
  credentialId: string;
  /** Set on a session that may only enrol a second factor until it has one, with the reason it must. */
  mustEnrol?: 'operator' | 'tenant';
}

const RANK: Record<Role, number> = { member: 0, admin: 1, operator: 2 };

/** Throws FORBIDDEN unless the principal has at least `role`. */
export function requireRole(p: Principal, role: Role, action: MessageParam): void {
  if (RANK[p.role] < RANK[role]) throw new DomainError('FORBIDDEN', { role: p.role, action });
}
